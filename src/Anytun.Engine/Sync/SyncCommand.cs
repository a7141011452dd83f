namespace Anytun.Engine.Sync;

/// <summary>
/// One message of the anytun sync protocol (spec satp-controlplane §1.3): a <see cref="SyncConnectionCommand"/> or a
/// <see cref="SyncRouteCommand"/>. Immutable, wire-level values (no resolution, no table semantics).
/// </summary>
public abstract class SyncCommand
{
    private protected SyncCommand()
    {
    }

    /// <summary>The command word on the wire: "connection" or "route".</summary>
    public abstract string CommandWord { get; }
}
