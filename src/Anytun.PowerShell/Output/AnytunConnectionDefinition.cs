using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Routing;
using EngineConnectionDefinition = Anytun.Engine.Configuration.AnytunConnectionDefinition;

namespace Anytun;

/// <summary>
/// One connection described but not yet added to a tunnel (New-AnytunConnection; what anytun-config describes):
/// mux, remote, window size, kd-prf, role, routes, and the derived master key and salt. Pipe it to
/// Add-AnytunConnection. The key material stays inside the engine's pinned buffers: it is never shown, never in
/// <see cref="ToString"/>, and <see cref="Dispose"/> zeroes it.
/// </summary>
public sealed class AnytunConnectionDefinition : IDisposable
{
    private readonly IPPrefix[] _routes;
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="definition"/> (disposed with this object).</summary>
    internal AnytunConnectionDefinition(EngineConnectionDefinition definition, IReadOnlyList<string>? warnings = null)
    {
        Definition = definition;
        _routes = definition.Routes.Select(static r => new IPPrefix(r.Address, r.PrefixLength)).ToArray();
        Warnings = warnings ?? definition.Warnings;
    }

    /// <summary>Multiplex id of the connection (anytun -m): the table key.</summary>
    public ushort Mux => Definition.Mux;

    /// <summary>Remote host as given (a name or an address literal); null = learned from the first datagram.</summary>
    public string? RemoteAddress => Definition.RemoteHost;

    /// <summary>Remote UDP port.</summary>
    public int RemotePort => Definition.RemotePort;

    /// <summary>Which family the remote resolves to; null = either.</summary>
    public AnytunAddressFamily? AddressFamily => EngineEnumMap.FromEngine(Definition.AddressFamily);

    /// <summary>Replay window size (0 = off).</summary>
    public uint WindowSize => Definition.WindowSize;

    public AnytunKdPrf KdPrf => EngineEnumMap.FromEngine(Definition.KdPrf);

    /// <summary>This side's role on the connection (the peer has the other one).</summary>
    public AnytunRole Role => EngineEnumMap.FromEngine(Definition.Role);

    /// <summary>Prefixes routed to this connection (anytun -R), as given.</summary>
    public IReadOnlyList<IPPrefix> Routes => _routes;

    /// <summary>True when the definition carries a master key (from -Passphrase or -Key).</summary>
    public bool HasKey => !_disposed && Definition.MasterKey.Length > 0;

    /// <summary>True when the definition carries a master salt (from -Passphrase or -Salt).</summary>
    public bool HasSalt => !_disposed && Definition.MasterSalt.Length > 0;

    /// <summary>What anytun-config would warn about (missing key material, prefixes that hang anytun).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>True once <see cref="Dispose"/> zeroed the key material; such a definition can no longer be added.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>The engine definition (anytun-config's model; export and import write and read it).</summary>
    internal EngineConnectionDefinition Definition { get; }

    /// <summary>
    /// A request for the control surface with copies of the key material (the caller disposes it). Without key
    /// material the tunnel's own keys are used, as a connection added without -Passphrase/-Key gets them.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The definition was disposed.</exception>
    internal ConnectionSpec ToSpec()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var spec = new ConnectionSpec(Mux)
        {
            RemoteHost = Definition.RemoteHost,
            RemotePort = Definition.RemotePort,
            Role = Definition.Role,
            KdPrf = Definition.KdPrf,
            WindowSize = Definition.WindowSize,
            Routes = _routes.ToList(),
        };
        if (Definition.MasterKey.Length > 0)
        {
            spec.Key = Definition.MasterKey.Clone();
        }

        if (Definition.MasterSalt.Length > 0)
        {
            spec.Salt = Definition.MasterSalt.Clone();
        }

        return spec;
    }

    /// <summary>Zeroes the key material.</summary>
    public void Dispose()
    {
        _disposed = true;
        Definition.Dispose();
    }

    /// <summary>The connection's shape without any key material.</summary>
    public override string ToString()
    {
        var remote = RemoteAddress is null ? "remote learned" : $"remote {RemoteAddress}:{RemotePort}";
        var routes = _routes.Length == 0 ? "no routes" : string.Join(", ", _routes.Select(static r => r.ToUnmaskedString()));
        return $"mux {Mux}: {remote}, role {Role}, {routes}";
    }
}
