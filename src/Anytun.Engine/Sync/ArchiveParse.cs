using System.Net;

namespace Anytun.Engine.Sync;

/// <summary>
/// Everything the parser learned from one archive, including how far it got when it failed: anytun applies a
/// command field by field, so anytun-showtables output depends on the partial state (a connection exists once its
/// mux was read; a route exists, with mux 1, once its prefix was read).
/// </summary>
internal sealed class ArchiveParse
{
    public int? ArchiveVersion { get; set; }

    public SyncCommand? Command { get; set; }

    /// <summary>The command word, when it was neither "connection" nor "route".</summary>
    public string? UnknownCommandWord { get; set; }

    public SyncFormatError? Error { get; set; }

    /// <summary>Mux of a connection command whose mux was read (set even when a later field failed).</summary>
    public ushort? ConnectionMux { get; set; }

    /// <summary>A route whose prefix was read but whose mux failed, with the mux value anytun is left with.</summary>
    public PartialRoute? FailedRoute { get; set; }

    internal sealed record PartialRoute(SyncAddressType Type, IPAddress? Address, byte PrefixLength, ushort MuxLeft);
}
