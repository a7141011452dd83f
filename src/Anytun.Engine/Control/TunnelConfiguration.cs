using Anytun.Engine.Routing;

namespace Anytun.Engine.Control;

/// <summary>How <see cref="TunnelControl.Apply"/> treats entries that are not in the desired configuration.</summary>
public enum ApplyMode
{
    /// <summary>Add what is missing and change what differs; leave everything else (anytun's sync semantics).</summary>
    Merge,

    /// <summary>Also remove every connection and route that is not in the desired configuration (like <c>wg syncconf</c>).</summary>
    Replace,
}

/// <summary>A desired set of connections and routes for <see cref="TunnelControl.Apply"/>. Owns the specs' secrets.</summary>
public sealed class TunnelConfiguration : IDisposable
{
    public IList<ConnectionSpec> Connections { get; } = new List<ConnectionSpec>();

    /// <summary>Routes besides those of the connection specs (they may point at a mux without a connection yet).</summary>
    public IList<(IPPrefix Prefix, ushort Mux)> Routes { get; } = new List<(IPPrefix Prefix, ushort Mux)>();

    public void Dispose()
    {
        foreach (var connection in Connections)
        {
            connection.Dispose();
        }
    }
}
