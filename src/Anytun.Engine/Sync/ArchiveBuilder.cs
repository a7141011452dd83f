using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Anytun.Engine.Sync;

/// <summary>
/// Builds archive text in a pooled buffer that is zeroed when returned (the text contains master keys). Tokens are
/// separated by exactly one space and there is no trailing whitespace (spec §8.1).
/// </summary>
internal sealed class ArchiveBuilder : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(512);
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>A token, preceded by a space unless it is the first.</summary>
    public void Token(ReadOnlySpan<byte> token)
    {
        Ensure(token.Length + 1);
        if (_length > 0)
        {
            _buffer[_length++] = (byte)' ';
        }

        token.CopyTo(_buffer.AsSpan(_length));
        _length += token.Length;
    }

    public void Number(ulong value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        Token(digits[..written]);
    }

    /// <summary>A Boost string: decimal length, a space, the raw bytes (Boost writes the space for an empty string too).</summary>
    public void String(ReadOnlySpan<byte> bytes)
    {
        Number((ulong)bytes.Length);
        Token(bytes);
    }

    /// <summary>The class-info pair Boost writes before the first object of a class: tracking 0, version 0.</summary>
    public void ClassInfo() => Token("0 0"u8);

    /// <summary>A byte buffer: count, then each byte as a decimal number.</summary>
    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        Number((ulong)bytes.Length);
        foreach (var b in bytes)
        {
            Number(b);
        }
    }

    /// <summary>The framed form: LLLLL, a space, the archive.</summary>
    public void CopyFrameTo(Span<byte> destination)
    {
        Utf8Formatter.TryFormat(_length, destination, out _, new StandardFormat('D', SyncArchive.LengthPrefixSize));
        destination[SyncArchive.LengthPrefixSize] = (byte)' ';
        Written.CopyTo(destination[SyncArchive.FrameHeaderSize..]);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = Array.Empty<byte>();
        _length = 0;
    }

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        Written.CopyTo(bigger);
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
