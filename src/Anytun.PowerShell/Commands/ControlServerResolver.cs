using System.Management.Automation;

namespace Anytun;

/// <summary>Name/object → control server resolution shared by Get/Stop-AnytunControlServer.</summary>
internal static class ControlServerResolver
{
    /// <summary>
    /// The servers behind <paramref name="inputObjects"/> when given, else those matching <paramref name="names"/>
    /// (every server when null), each once. A plain name or object that matches nothing writes a non-terminating
    /// 'ControlServerNotFound'; a wildcard that matches nothing is silent.
    /// </summary>
    internal static List<ControlServerSession> Resolve(Cmdlet cmdlet, string[]? names, AnytunControlServer[]? inputObjects = null)
    {
        var registry = ControlServerSession.Registry;
        var result = new List<ControlServerSession>();
        if (inputObjects is not null)
        {
            foreach (var server in inputObjects)
            {
                if (registry.TryGet(server.Name, out var session))
                {
                    result.Add(session);
                }
                else
                {
                    cmdlet.WriteError(ControlPlaneErrors.ControlServerNotFound(server.Name));
                }
            }

            return result;
        }

        if (names is null)
        {
            return registry.All();
        }

        foreach (var name in names)
        {
            var matches = registry.Match(name);
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                cmdlet.WriteError(ControlPlaneErrors.ControlServerNotFound(name));
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
}
