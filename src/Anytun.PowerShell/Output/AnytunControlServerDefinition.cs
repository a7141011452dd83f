using Anytun.Engine.Configuration;

namespace Anytun;

/// <summary>
/// A control server described but not started: what ConvertFrom-AnytunCommandLine -Program anytun-controld returns
/// for an anytun-controld command line. Pipe it to Start-AnytunControlServer.
/// </summary>
public sealed class AnytunControlServerDefinition
{
    internal AnytunControlServerDefinition(ControlServerOptions options, string? name, string commandLine, IReadOnlyList<string> warnings)
    {
        Options = options;
        Name = name;
        CommandLine = commandLine;
        Warnings = warnings;
    }

    /// <summary>Name for the server (Start-AnytunControlServer -Name overrides it); null = controlserver&lt;N&gt;.</summary>
    public string? Name { get; }

    /// <summary>The table file (-f/--file); null when the command line has none (the server then cannot start).</summary>
    public string? Path => Options.FilePath;

    /// <summary>The address to listen on (-X/--control-host); '*' for every local address (':port').</summary>
    public string ListenAddress => Options.Listen.IsAnyAddress ? "*" : Options.Listen.Host;

    public int Port => Options.Listen.Port;

    /// <summary>The command line as given.</summary>
    public string CommandLine { get; }

    /// <summary>Options the module does not apply in-process (-u, -g, -C, -P), said when converting.</summary>
    public IReadOnlyList<string> Warnings { get; }

    internal ControlServerOptions Options { get; }

    public override string ToString() => $"anytun-controld -f {Path ?? "(none)"} on {ListenAddress}:{Port}";
}
