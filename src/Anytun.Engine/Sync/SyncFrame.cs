using System.Globalization;

namespace Anytun.Engine.Sync;

/// <summary>
/// One frame as read from a sync stream. <see cref="Archive"/> and <see cref="Received"/> point into the reader's
/// buffer and are valid only until the next read.
/// </summary>
public readonly struct SyncFrame
{
    private SyncFrame(SyncFrameStatus status, long offset, int declaredLength, ReadOnlyMemory<byte> received, SyncFramePart part, int lastByte, SyncFormatError? error, Exception? exception)
    {
        Status = status;
        Offset = offset;
        DeclaredLength = declaredLength;
        Received = received;
        TruncatedIn = part;
        LastByte = lastByte;
        Error = error;
        StreamException = exception;
    }

    public SyncFrameStatus Status { get; }

    /// <summary>Stream offset of the frame's first length byte (for EndOfStream: the stream length).</summary>
    public long Offset { get; }

    /// <summary>The archive length the prefix announced (0 when it had none).</summary>
    public int DeclaredLength { get; }

    /// <summary>The archive of a complete frame.</summary>
    public ReadOnlyMemory<byte> Archive => Status == SyncFrameStatus.Frame ? Received : ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// The bytes that arrived of the part being read: the whole archive for <see cref="SyncFrameStatus.Frame"/>, the
    /// partial length prefix or archive for <see cref="SyncFrameStatus.Truncated"/>, the 5 length bytes for
    /// <see cref="SyncFrameStatus.BadLength"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Received { get; }

    /// <summary>For <see cref="SyncFrameStatus.Truncated"/>: the part the stream ended in.</summary>
    public SyncFramePart TruncatedIn { get; }

    /// <summary>The last byte read from the stream before this result (-1: none), as C++'s stale read buffer holds it.</summary>
    public int LastByte { get; }

    /// <summary>For BadLength and Truncated: the error, with its offset.</summary>
    public SyncFormatError? Error { get; }

    /// <summary>For <see cref="SyncFrameStatus.StreamError"/>: what the stream threw.</summary>
    public Exception? StreamException { get; }

    /// <summary>Bytes of the stream this frame took (the separator of a frame cut at its end is not counted).</summary>
    public int StreamLength { get; private init; }

    /// <summary>The same frame with the number of stream bytes it consumed.</summary>
    internal SyncFrame WithStreamLength(long length) => this with { StreamLength = (int)length };

    internal static SyncFrame Complete(long offset, ReadOnlyMemory<byte> archive, int lastByte) =>
        new(SyncFrameStatus.Frame, offset, archive.Length, archive, default, lastByte, null, null);

    internal static SyncFrame EmptyFrame(long offset, int lastByte) =>
        new(SyncFrameStatus.Empty, offset, 0, ReadOnlyMemory<byte>.Empty, default, lastByte, null, null);

    internal static SyncFrame End(long offset, int lastByte) =>
        new(SyncFrameStatus.EndOfStream, offset, 0, ReadOnlyMemory<byte>.Empty, default, lastByte, null, null);

    internal static SyncFrame Failed(long offset, Exception exception, int lastByte) =>
        new(SyncFrameStatus.StreamError, offset, 0, ReadOnlyMemory<byte>.Empty, default, lastByte, new SyncFormatError(SyncErrorKind.StreamError, offset, $"reading the sync stream failed: {exception.Message}"), exception);

    internal static SyncFrame BadPrefix(long offset, ReadOnlyMemory<byte> prefix, int lastByte) =>
        new(SyncFrameStatus.BadLength, offset, 0, prefix, default, lastByte, new SyncFormatError(
            SyncErrorKind.BadLengthPrefix,
            offset,
            $"the length prefix {ArchiveCursor.Quote(prefix.Span, false)} is not a decimal number (expected 5 ASCII digits such as 00207); anytun skips these 6 bytes, and what follows is most likely out of step"),
            null);

    internal static SyncFrame Cut(long offset, int declaredLength, SyncFramePart part, ReadOnlyMemory<byte> received, int lastByte)
    {
        var detail = part switch
        {
            SyncFramePart.LengthPrefix => string.Create(CultureInfo.InvariantCulture, $"the stream ended after {received.Length} of the {SyncArchive.LengthPrefixSize} length-prefix bytes"),
            SyncFramePart.Separator => string.Create(CultureInfo.InvariantCulture, $"the stream ended after the length prefix {declaredLength:00000}, before its separator byte"),
            _ => string.Create(CultureInfo.InvariantCulture, $"the length prefix announced {declaredLength} archive bytes but the stream ended after {received.Length}"),
        };
        return new(SyncFrameStatus.Truncated, offset, declaredLength, received, part, lastByte, new SyncFormatError(SyncErrorKind.TruncatedFrame, offset, detail), null);
    }
}
