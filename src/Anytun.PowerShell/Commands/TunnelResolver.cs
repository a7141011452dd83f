using System.Management.Automation;

namespace Anytun;

/// <summary>Name → tunnel resolution shared by Get/Stop-AnytunTunnel and Get-AnytunConnection.</summary>
internal static class TunnelResolver
{
    /// <summary>
    /// Every tunnel when <paramref name="names"/> is null; otherwise the matches, each once. A plain name that
    /// matches nothing writes a non-terminating 'TunnelNotFound'; a wildcard that matches nothing is silent.
    /// </summary>
    internal static List<TunnelSession> ResolveByName(Cmdlet cmdlet, string[]? names)
    {
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

    /// <summary>The live session behind an output object; 'TunnelNotFound' if it has stopped since.</summary>
    internal static TunnelSession? ResolveObject(Cmdlet cmdlet, AnytunTunnel tunnel)
    {
        if (TunnelRegistry.TryGet(tunnel.Name, out var session))
        {
            return session;
        }

        cmdlet.WriteError(AnytunErrors.TunnelNotFound(tunnel.Name));
        return null;
    }
}
