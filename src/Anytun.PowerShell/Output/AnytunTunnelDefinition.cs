using System.Management.Automation;
using Anytun.Engine.Configuration;

namespace Anytun;

/// <summary>
/// A tunnel that is described but not started (New-AnytunTunnel, ConvertFrom-AnytunCommandLine).
/// Pipe it to Start-AnytunTunnel. Secrets are held by the engine's pinned SecretBytes and never shown.
/// </summary>
public sealed class AnytunTunnelDefinition
{
    internal AnytunTunnelDefinition(
        TunnelOptions options, string? name, ScriptBlock? postUpScriptBlock, IReadOnlyList<string> warnings, bool fromParameters)
    {
        Options = options;
        Name = name;
        PostUpScriptBlock = postUpScriptBlock;
        Warnings = warnings;
        FromParameters = fromParameters;
    }

    /// <summary>Tunnel name; null means "device name, or anytun&lt;N&gt;" at start.</summary>
    public string? Name { get; }

    public AnytunDeviceType DeviceType => EngineEnumMap.FromEngine(Options.EffectiveDeviceType);

    public string? DeviceName => Options.DeviceName;

    /// <summary>Address and prefix given to the device (anytun -n), e.g. 192.168.123.1/24.</summary>
    public string? InterfaceAddress => Options.IfConfig?.ToString();

    /// <summary>Executable run after the device is up (anytun -x).</summary>
    public string? PostUpScript => Options.PostUpScript;

    /// <summary>ScriptBlock run after the device is up, in a private runspace.</summary>
    public ScriptBlock? PostUpScriptBlock { get; }

    public string? LocalAddress => Options.LocalAddress;

    public int LocalPort => Options.LocalPort;

    public string? RemoteAddress => Options.RemoteHost;

    public int RemotePort => Options.RemotePort;

    /// <summary>Outer address family; null = both.</summary>
    public AnytunAddressFamily? AddressFamily => EngineEnumMap.FromEngine(Options.AddressFamily);

    public ushort Mux => Options.Mux;

    public ushort SenderId => Options.SenderId;

    public uint WindowSize => Options.WindowSize;

    public AnytunKdPrf KdPrf => EngineEnumMap.FromEngine(Options.KdPrf);

    public AnytunRole Role => EngineEnumMap.FromEngine(Options.Role);

    public AnytunCipher Cipher => EngineEnumMap.FromEngine(Options.Cipher);

    public AnytunAuthAlgorithm AuthAlgorithm => EngineEnumMap.FromEngine(Options.Auth);

    /// <summary>Tag length as requested (anytun -b).</summary>
    public int AuthTagLength => Options.AuthTagLength;

    /// <summary>Tag length actually used on the wire (0 for null auth, clamped to 20).</summary>
    public int EffectiveAuthTagLength => Options.EffectiveTagLength;

    /// <summary>Prefixes routed to the tunnel's connection (anytun -R), as given.</summary>
    public IReadOnlyList<Anytun.Engine.Routing.IPPrefix> Routes => Options.Routes;

    public bool HasPassphrase => Options.Passphrase is not null;

    public bool HasKey => Options.Key is not null;

    public bool HasSalt => Options.Salt is not null;

    /// <summary>Warnings from validation (e.g. a clamped tag length).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The equivalent anytun command line, secrets redacted.</summary>
    public string CommandLine => AnytunCommandLine.Format(Options);

    /// <summary>
    /// Described with PowerShell parameters (New-AnytunTunnel, Start-AnytunTunnel) rather than an anytun command line:
    /// errors then name the parameters (-Passphrase), not anytun's options (-E/--passphrase).
    /// </summary>
    internal bool FromParameters { get; }

    /// <summary>The engine options; the definition owns them, starting a tunnel works on a clone.</summary>
    internal TunnelOptions Options { get; }

    public override string ToString() => Name ?? CommandLine;
}
