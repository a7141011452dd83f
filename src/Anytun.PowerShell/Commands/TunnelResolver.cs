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
    internal static List<TunnelSession> Resolve(Cmdlet cmdlet, string[]? names, AnytunTunnel[]? inputObjects = null)
    {
        if (inputObjects is not null)
        {
            var sessions = new List<TunnelSession>(inputObjects.Length);
            foreach (var tunnel in inputObjects)
            {
                if (TunnelRegistry.TryGet(tunnel.Name, out var session))
                {
                    sessions.Add(session);
                }
                else
                {
                    cmdlet.WriteError(AnytunErrors.TunnelNotFound(tunnel.Name));
                }
            }

            return sessions;
        }

        if (names is null)
        {
            return TunnelRegistry.All();
        }

        var result = new List<TunnelSession>();
        foreach (var name in names)
        {
            var matches = TunnelRegistry.Match(name);
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                cmdlet.WriteError(AnytunErrors.TunnelNotFound(name));
                continue;
            }

            foreach (var session in matches)
            {
                if (!result.Contains(session))
                {
                    result.Add(session);
                }
            }
        }

        return result;
    }

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
