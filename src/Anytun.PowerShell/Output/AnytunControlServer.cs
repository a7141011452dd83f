using System.Net;

namespace Anytun;

/// <summary>
/// A control server (anytun-controld) as Get-AnytunControlServer and Stop-AnytunControlServer -PassThru report it: where
/// it listens, what it serves (the table file, or piped connection definitions) and its clients. A snapshot; the
/// table's key material is never part of it.
/// </summary>
public sealed class AnytunControlServer
{
    internal AnytunControlServer(ControlServerSession session)
    {
        var server = session.Server;
        var table = server.Table;
        Name = session.Name;
        State = (AnytunControlServerState)(int)server.State;
        LocalEndPoints = server.LocalEndPoints.ToArray();
        ListenAddress = LocalEndPoints.Length == 0 ? null : string.Join(", ", LocalEndPoints.Select(static e => e.Address.ToString()).Distinct());
        Port = LocalEndPoints.Length == 0 ? 0 : LocalEndPoints[0].Port;
        Source = server.Source;
        ConnectionCount = table?.ConnectionCount ?? 0;
        RouteCount = table?.RouteCount ?? 0;
        TableBytes = table?.Length ?? 0;
        TableVersion = server.TableVersion;
        TableLoaded = table?.LoadedUtc.ToLocalTime();
        ClientCount = server.ClientCount;
        Clients = server.GetClients().ToArray();
        ClientsServed = server.ClientsServed;
        ClientsRefused = server.ClientsRefused;
        MaxClients = server.Limits.MaxClients;
        JobId = session.Job?.Id;
        StartTime = session.StartTime;
        CommandLine = session.CommandLine;
    }

    /// <summary>Name of the server; binds to Stop-AnytunControlServer -Name by property name.</summary>
    public string Name { get; }

    public AnytunControlServerState State { get; }

    /// <summary>The addresses listened on, comma separated.</summary>
    public string? ListenAddress { get; }

    /// <summary>The TCP port (the one bound, when -Port 0 asked for a free one).</summary>
    public int Port { get; }

    public IPEndPoint[] LocalEndPoints { get; }

    /// <summary>The table file's full path, or how many connection definitions were piped in.</summary>
    public string Source { get; }

    /// <summary>Connection entries in the table new clients get.</summary>
    public int ConnectionCount { get; }

    /// <summary>Route entries in the table new clients get.</summary>
    public int RouteCount { get; }

    /// <summary>Bytes sent to each client.</summary>
    public int TableBytes { get; }

    /// <summary>1 at start, +1 for each re-read of the changed table file.</summary>
    public long TableVersion { get; }

    /// <summary>Local time the current table was read.</summary>
    public DateTime? TableLoaded { get; }

    /// <summary>Clients connected now.</summary>
    public int ClientCount { get; }

    /// <summary>Remote endpoints of the clients connected now.</summary>
    public IPEndPoint[] Clients { get; }

    /// <summary>Clients that were sent the whole table since start.</summary>
    public long ClientsServed { get; }

    /// <summary>Clients closed at once because -MaxClients were connected.</summary>
    public long ClientsRefused { get; }

    public int MaxClients { get; }

    /// <summary>Id of the server's job (Get-Job -Id); null for a server run with -Wait.</summary>
    public int? JobId { get; }

    public DateTime StartTime { get; }

    /// <summary>The equivalent anytun-controld command line, or a description of the piped definitions.</summary>
    public string CommandLine { get; }

    public override string ToString() => $"{Name}: {State} on {ListenAddress}:{Port} serving {Source}";
}
