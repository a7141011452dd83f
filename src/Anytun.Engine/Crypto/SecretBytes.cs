using System.Security.Cryptography;
using System.Text;

namespace Anytun.Engine.Crypto;

/// <summary>
/// Key material (key, salt, passphrase) in a pinned array so the GC never leaves copies behind;
/// zeroed on <see cref="Dispose"/> and never printed.
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private readonly byte[] _buffer;
    private bool _disposed;

    private SecretBytes(int length)
    {
        _buffer = GC.AllocateArray<byte>(length, pinned: true);
    }

    /// <summary>Number of secret bytes.</summary>
    public int Length => _buffer.Length;

    /// <summary>The secret bytes; throws once disposed.</summary>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _buffer;
        }
    }

    public bool IsDisposed => _disposed;

    /// <summary>Test hook: the backing array, to prove it is zeroed after Dispose.</summary>
    internal byte[] BufferForTests => _buffer;

    /// <summary>Copies <paramref name="bytes"/> into a new pinned secret.</summary>
    public static SecretBytes FromBytes(ReadOnlySpan<byte> bytes)
    {
        var secret = new SecretBytes(bytes.Length);
        bytes.CopyTo(secret._buffer);
        return secret;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into a new pinned secret and zeroes <paramref name="source"/>: for intermediate
    /// buffers (a decoded -Key, a converted SecureString) that must not outlive the secret they were turned into.
    /// </summary>
    public static SecretBytes MoveFrom(Span<byte> source)
    {
        var secret = FromBytes(source);
        CryptographicOperations.ZeroMemory(source);
        return secret;
    }

    /// <summary>
    /// Parses hex digits (no prefix, no separators). Odd length or a non-hex character is an
    /// <see cref="AnytunErrorCode.InvalidOption"/> error naming <paramref name="option"/>, never echoing the digits.
    /// </summary>
    public static SecretBytes FromHex(string hex, string option)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return FromHex(hex.AsSpan(), option);
    }

    /// <summary>
    /// <see cref="FromHex(string, string)"/> over characters the caller owns (and zeroes afterwards), so the digits need
    /// not live in an immutable string that can never be cleared.
    /// </summary>
    public static SecretBytes FromHex(ReadOnlySpan<char> hex, string option)
    {
        if (hex.Length % 2 != 0)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"{option}: {hex.Length} hex digits is an odd number; each byte needs two hex digits.",
                option);
        }

        for (var i = 0; i < hex.Length; i++)
        {
            if (!char.IsAsciiHexDigit(hex[i]))
            {
                throw new AnytunException(
                    AnytunErrorCode.InvalidOption,
                    $"{option}: character {i + 1} of {hex.Length} is not a hex digit (0-9, a-f, A-F).",
                    option);
            }
        }

        var secret = new SecretBytes(hex.Length / 2);
        for (var i = 0; i < secret._buffer.Length; i++)
        {
            secret._buffer[i] = (byte)((HexValue(hex[2 * i]) << 4) | HexValue(hex[(2 * i) + 1]));
        }

        return secret;
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/> (as anytun reads a passphrase from argv).</summary>
    public static SecretBytes FromUtf8(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return FromUtf16Chars(text.AsSpan());
    }

    /// <summary>
    /// UTF-8 encodes characters (e.g. from a pinned SecureString copy) straight into the pinned buffer,
    /// so no intermediate managed byte[] or string holds the secret.
    /// </summary>
    public static SecretBytes FromUtf16Chars(ReadOnlySpan<char> chars)
    {
        var secret = new SecretBytes(Encoding.UTF8.GetByteCount(chars));
        Encoding.UTF8.GetBytes(chars, secret._buffer);
        return secret;
    }

    /// <summary>
    /// For owners of a secret property: returns <paramref name="next"/> and zeroes <paramref name="previous"/> unless it is
    /// the same object, so replacing a secret never leaves the old bytes to the GC.
    /// </summary>
    public static SecretBytes? Replace(SecretBytes? previous, SecretBytes? next)
    {
        if (!ReferenceEquals(previous, next))
        {
            previous?.Dispose();
        }

        return next;
    }

    /// <summary>Independent copy (options are cloned; each owner disposes its own).</summary>
    public SecretBytes Clone() => FromBytes(Span);

    /// <summary>Constant-time comparison of the contents.</summary>
    public bool ContentEquals(SecretBytes? other)
    {
        if (other is null)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Span, other.Span);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        CryptographicOperations.ZeroMemory(_buffer);
        _disposed = true;
    }

    public override string ToString() => $"<redacted {_buffer.Length} bytes>";

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
