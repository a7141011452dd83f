namespace Anytun.Engine.Sync;

/// <summary>What one frame of a sync stream turned out to be.</summary>
public enum SyncMessageKind
{
    /// <summary>A connection or route command.</summary>
    Command,

    /// <summary>A well-formed frame anytun ignores: an unknown command word, or length 00000.</summary>
    Ignored,

    /// <summary>A malformed frame; see <see cref="SyncMessage.Error"/>.</summary>
    Error,
}
