namespace Anytun.Engine.Sync;

/// <summary>Where in a frame the stream ended (for <see cref="SyncFrameStatus.Truncated"/>).</summary>
public enum SyncFramePart
{
    LengthPrefix,
    Separator,
    Archive,
}
