namespace Anytun;

/// <summary>Name/object → control server resolution shared by Get/Stop-AnytunControlServer.</summary>
internal static class ControlServerResolver
{
    /// <summary>
    /// The servers behind <paramref name="inputObjects"/> when given, else those matching <paramref name="names"/>
    /// (every server when null), each once; a plain name or object that matches nothing is 'ControlServerNotFound'.
    /// </summary>
    internal static List<ControlServerSession> Resolve(System.Management.Automation.Cmdlet cmdlet, string[]? names, AnytunControlServer[]? inputObjects = null) =>
        ControlServerSession.Registry.Resolve(cmdlet, names, inputObjects?.Select(static s => s.Name), ControlPlaneErrors.ControlServerNotFound);
}
