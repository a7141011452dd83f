namespace Anytun.Engine.Sync;

/// <summary>What <see cref="SyncFrameReader.ReadFrameAsync"/> found.</summary>
public enum SyncFrameStatus
{
    /// <summary>A complete frame: <see cref="SyncFrame.Archive"/> holds its archive bytes.</summary>
    Frame,

    /// <summary>A frame with length 00000 (anytun skips it).</summary>
    Empty,

    /// <summary>The 5 length bytes are not a number; like anytun, the reader skipped them and the separator.</summary>
    BadLength,

    /// <summary>The stream ended inside a frame. Nothing follows.</summary>
    Truncated,

    /// <summary>The stream ended cleanly at a frame boundary. Nothing follows.</summary>
    EndOfStream,

    /// <summary>Reading the stream failed (see <see cref="SyncFrame.StreamException"/>). Nothing follows.</summary>
    StreamError,
}
