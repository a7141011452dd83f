using System.Management.Automation;

namespace Anytun;

/// <summary>
/// What runs once the device is up: an executable path (anytun -x semantics, called with the device name)
/// or a ScriptBlock (run in a private runspace with the <see cref="AnytunTunnel"/> as its argument).
/// </summary>
public sealed class AnytunPostUpScript
{
    public AnytunPostUpScript(string path)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
    }

    public AnytunPostUpScript(ScriptBlock scriptBlock)
    {
        ScriptBlock = scriptBlock ?? throw new ArgumentNullException(nameof(scriptBlock));
    }

    /// <summary>Executable path; null when a ScriptBlock was given.</summary>
    public string? Path { get; }

    /// <summary>ScriptBlock; null when a path was given.</summary>
    public ScriptBlock? ScriptBlock { get; }

    public override string ToString() => Path ?? "{" + ScriptBlock + "}";
}
