using System.Management.Automation;

namespace Anytun;

/// <summary>Name/object → tunnel resolution shared by the tunnel, connection and route cmdlets.</summary>
internal static class TunnelResolver
{
    /// <summary>
    /// The tunnels behind <paramref name="inputObjects"/> when given, else those matching <paramref name="names"/>
    /// (every tunnel when null), each once. A plain name or object that matches nothing writes a non-terminating
    /// 'TunnelNotFound'; a wildcard that matches nothing is silent.
    /// </summary>
    internal static List<TunnelSession> Resolve(Cmdlet cmdlet, string[]? names, AnytunTunnel[]? inputObjects = null) =>
        TunnelRegistry.Resolve(cmdlet, names, inputObjects?.Select(static t => t.Name));

    /// <summary>The running tunnel named exactly <paramref name="name"/>, or null after a non-terminating 'TunnelNotFound'.</summary>
    internal static TunnelSession? ResolveOne(Cmdlet cmdlet, string name)
    {
        if (TunnelRegistry.TryGet(name, out var session))
        {
            return session;
        }

        cmdlet.WriteError(AnytunErrors.TunnelNotFound(name));
        return null;
    }
}
