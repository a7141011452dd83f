using System.Security.Cryptography;

namespace Anytun.Engine.Sync;

/// <summary>
/// Splits a sync byte stream into frames exactly as anytun does (spec §1.2): read exactly 5 length bytes (leading
/// whitespace allowed, the number ends at the first non-digit), skip exactly one byte, read exactly L bytes. Works
/// with any partial reads (a socket delivering one byte at a time), honours cancellation, and never holds more than
/// the bytes that actually arrived of one frame (at most 99,999). Format problems are results, not exceptions; I/O
/// failures become <see cref="SyncFrameStatus.StreamError"/>. Only cancellation throws.
/// </summary>
public sealed class SyncFrameReader : IDisposable
{
    private const int InitialBufferSize = 512;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _header = new byte[SyncArchive.FrameHeaderSize];
    private byte[] _buffer = Array.Empty<byte>();
    private long _position;
    private int _lastByte = -1;
    private bool _finished;
    private bool _interrupted;
    private bool _disposed;

    public SyncFrameReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Bytes consumed from the stream so far.</summary>
    public long Position => _position;

    /// <summary>
    /// Reads the next frame. After <see cref="SyncFrameStatus.EndOfStream"/>, <see cref="SyncFrameStatus.Truncated"/>
    /// or <see cref="SyncFrameStatus.StreamError"/> every further call returns EndOfStream.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; the reader is then unusable (the position inside the frame is lost).</exception>
    public async ValueTask<SyncFrame> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_interrupted)
        {
            throw new InvalidOperationException("A previous read was cancelled in the middle of a frame; the stream position is lost. Open a new reader on a new connection.");
        }

        if (_finished)
        {
            return SyncFrame.End(_position, _lastByte);
        }

        var start = _position;
        try
        {
            var frame = await ReadCoreAsync(start, cancellationToken).ConfigureAwait(false);
            return frame.WithStreamLength(_position - start);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _interrupted = true;
            throw;
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            _finished = true;
            return SyncFrame.Failed(_position, exception, _lastByte).WithStreamLength(_position - start);
        }
    }

    /// <summary>
    /// <see cref="ReadFrameAsync"/> for streams that never block (MemoryStream): completes synchronously.
    /// </summary>
    internal SyncFrame ReadInMemory()
    {
        var pending = ReadFrameAsync(CancellationToken.None);
        return pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_buffer); // archives carry master keys in clear text
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <summary>C++ <c>stream &gt;&gt; size_t</c> on the 5 length bytes: whitespace, then digits up to the first non-digit.</summary>
    internal static bool TryParseLengthPrefix(ReadOnlySpan<byte> prefix, out int length)
    {
        length = 0;
        var i = 0;
        while (i < prefix.Length && ArchiveCursor.IsWhitespace(prefix[i]))
        {
            i++;
        }

        if (i == prefix.Length || prefix[i] is < (byte)'0' or > (byte)'9')
        {
            return false;
        }

        while (i < prefix.Length && prefix[i] is >= (byte)'0' and <= (byte)'9')
        {
            length = (length * 10) + (prefix[i] - '0');
            i++;
        }

        return true;
    }

    private async ValueTask<SyncFrame> ReadCoreAsync(long start, CancellationToken cancellationToken)
    {
        var prefix = _header.AsMemory(0, SyncArchive.LengthPrefixSize);
        var got = await FillAsync(prefix, cancellationToken).ConfigureAwait(false);
        if (got < SyncArchive.LengthPrefixSize)
        {
            _finished = true;
            return got == 0
                ? SyncFrame.End(start, _lastByte)
                : SyncFrame.Cut(start, 0, SyncFramePart.LengthPrefix, prefix[..got], _lastByte);
        }

        var hasLength = TryParseLengthPrefix(prefix.Span, out var length);
        var separator = await FillAsync(_header.AsMemory(SyncArchive.LengthPrefixSize, 1), cancellationToken).ConfigureAwait(false);
        _finished = separator == 0;
        if (!hasLength)
        {
            return SyncFrame.BadPrefix(start, prefix, _lastByte);
        }

        if (length == 0)
        {
            return SyncFrame.EmptyFrame(start, _lastByte);
        }

        if (separator == 0)
        {
            return SyncFrame.Cut(start, length, SyncFramePart.Separator, ReadOnlyMemory<byte>.Empty, _lastByte);
        }

        var filled = await FillArchiveAsync(length, cancellationToken).ConfigureAwait(false);
        if (filled < length)
        {
            _finished = true;
            return SyncFrame.Cut(start, length, SyncFramePart.Archive, _buffer.AsMemory(0, filled), _lastByte);
        }

        return SyncFrame.Complete(start, _buffer.AsMemory(0, length), _lastByte);
    }

    /// <summary>Reads up to <paramref name="length"/> bytes, growing the buffer only as bytes arrive.</summary>
    private async ValueTask<int> FillArchiveAsync(int length, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < length)
        {
            if (filled == _buffer.Length)
            {
                Grow(Math.Min(length, Math.Max(InitialBufferSize, _buffer.Length * 2)));
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(filled, Math.Min(length, _buffer.Length) - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
            Consumed(read, _buffer[filled - 1]);
        }

        return filled;
    }

    private async ValueTask<int> FillAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var read = await _stream.ReadAsync(destination[filled..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
            Consumed(read, destination.Span[filled - 1]);
        }

        return filled;
    }

    private void Consumed(int count, byte last)
    {
        _position += count;
        _lastByte = last;
    }

    private void Grow(int size)
    {
        var bigger = new byte[size];
        _buffer.CopyTo(bigger, 0);
        CryptographicOperations.ZeroMemory(_buffer);
        _buffer = bigger;
    }
}
