using System.Runtime.CompilerServices;

namespace Anytun.Engine.Sync;

/// <summary>
/// Reads a sync stream (a TCP sync or control connection, a capture, a chomped table file) as
/// <see cref="SyncMessage"/>s: one per frame, each a command, an ignored frame or an error naming its byte offset.
/// Never throws on bad input; only cancellation throws. A stream that ends inside a frame, or fails, gives one error
/// message and then the end.
/// </summary>
public sealed class SyncStreamReader : IDisposable
{
    private readonly SyncFrameReader _frames;

    public SyncStreamReader(Stream stream, bool leaveOpen = false)
    {
        _frames = new SyncFrameReader(stream, leaveOpen);
    }

    /// <summary>Bytes consumed from the stream so far.</summary>
    public long Position => _frames.Position;

    /// <summary>Every message of an in-memory stream.</summary>
    public static IReadOnlyList<SyncMessage> ReadAll(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var messages = new List<SyncMessage>();
        using var frames = new SyncFrameReader(new MemoryStream(data, writable: false));
        while (ToMessage(frames.ReadInMemory()) is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    /// <summary>The next message, or null at the end of the stream.</summary>
    /// <exception cref="OperationCanceledException">Cancelled (the reader is then unusable).</exception>
    public async ValueTask<SyncMessage?> ReadMessageAsync(CancellationToken cancellationToken = default) =>
        ToMessage(await _frames.ReadFrameAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Messages until the end of the stream.</summary>
    public async IAsyncEnumerable<SyncMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadMessageAsync(cancellationToken).ConfigureAwait(false) is { } message)
        {
            yield return message;
        }
    }

    public void Dispose() => _frames.Dispose();

    internal static SyncMessage? ToMessage(in SyncFrame frame)
    {
        switch (frame.Status)
        {
            case SyncFrameStatus.EndOfStream:
                return null;
            case SyncFrameStatus.Empty:
                return SyncMessage.ForIgnored(frame.Offset, frame.StreamLength, null, "empty frame (length prefix 00000)");
            case SyncFrameStatus.Frame:
                var parse = SyncArchiveParser.Parse(frame.Archive.Span, frame.Offset + SyncArchive.FrameHeaderSize);
                if (parse.Error is { } error)
                {
                    return SyncMessage.ForError(frame.Offset, frame.StreamLength, parse.ArchiveVersion, error);
                }

                return parse.Command is { } command
                    ? SyncMessage.ForCommand(frame.Offset, frame.StreamLength, parse.ArchiveVersion!.Value, command)
                    : SyncMessage.ForIgnored(frame.Offset, frame.StreamLength, parse.ArchiveVersion, $"unknown command {parse.UnknownCommandWord}");
            default:
                return SyncMessage.ForError(frame.Offset, frame.StreamLength, null, frame.Error!);
        }
    }
}
