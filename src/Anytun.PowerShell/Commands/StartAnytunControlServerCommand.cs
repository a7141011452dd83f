using System.Management.Automation;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// Start-AnytunControlServer (anytun-controld): serves a connection table (a table file, piped connection
/// definitions, or an anytun-controld command line converted by ConvertFrom-AnytunCommandLine) to every anytun -X
/// client that connects. Returns the server's job at once; -Wait keeps it in the foreground, writing its log records,
/// until Ctrl+C, SIGINT, SIGTERM or Stop-AnytunControlServer.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AnytunControlServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ByPath)]
[OutputType(typeof(AnytunControlServerJob), typeof(AnytunLogRecord))]
public sealed class StartAnytunControlServerCommand : AnytunCmdlet
{
    private const string ByPath = "ByPath";
    private const string ByInputObject = "ByInputObject";
    private const string ByDefinition = "ByDefinition";
    private const string AllAddresses = "*";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly ForegroundSignals _signals = new();
    private readonly List<AnytunConnectionDefinition> _connections = new();

    /// <summary>The table file to serve (anytun-config output, with or without newlines).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByPath)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Connection definitions to serve (New-AnytunConnection, Import-AnytunConnectionTable).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    [ValidateNotNull]
    public AnytunConnectionDefinition[] InputObject { get; set; } = Array.Empty<AnytunConnectionDefinition>();

    /// <summary>An anytun-controld command line converted by ConvertFrom-AnytunCommandLine -Program anytun-controld.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByDefinition)]
    [ValidateNotNull]
    public AnytunControlServerDefinition? Definition { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Address (or host name) to listen on; '*' = every local address. Default 127.0.0.1, as anytun-controld.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 takes a free one (see the server's Port). Default 2323, as anytun-controld.</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = SyncArchive.DefaultPort;

    [Parameter]
    [ValidateRange(1, 65535)]
    public int MaxClients { get; set; } = new ControlServerLimits().MaxClients;

    [Parameter]
    [ValidateRange(1, 3600)]
    public int SendTimeoutSec { get; set; } = (int)new ControlServerLimits().SendTimeout.TotalSeconds;

    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case ByInputObject:
                // All piped definitions form one table; the server starts once the pipeline ends.
                _connections.AddRange(InputObject);
                break;
            case ByDefinition:
                StartFromDefinition(Definition!);
                break;
            default:
                StartFromPath(Path, nameof(Path), Name, ToHost(ListenAddress), Port, null);
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == ByInputObject)
        {
            StartFromConnections();
        }
    }

    protected override void DisposeResources() => _signals.Dispose();

    private static string ToHost(string listenAddress) => listenAddress == AllAddresses ? string.Empty : listenAddress;

    private static string Describe(string host, int port) => host.Length == 0
        ? $"*:{port}"
        : host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    private void StartFromDefinition(AnytunControlServerDefinition definition)
    {
        if (definition.Path is null)
        {
            WriteError(ControlPlaneErrors.TableFileNotSpecified(definition.CommandLine));
            return;
        }

        var host = MyInvocation.BoundParameters.ContainsKey(nameof(ListenAddress)) ? ToHost(ListenAddress) : definition.Options.Listen.Host;
        var port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : definition.Port;
        StartFromPath(definition.Path, OptionNames.File, Name ?? definition.Name, host, port, definition.Options);
    }

    private void StartFromPath(string path, string parameter, string? requestedName, string host, int port, ControlServerOptions? options)
    {
        var fullPath = GetUnresolvedProviderPathFromPSPath(path);
        if (!File.Exists(fullPath))
        {
            WriteError(ControlPlaneErrors.TableFileNotFound(path, parameter == nameof(Path) ? "-Path" : parameter));
            return;
        }

        var name = requestedName ?? ControlServerSession.Registry.NextDefaultName();
        var commandLine = $"anytun-controld -f {fullPath} -X {Describe(host, port)}";
        Start(name, host, port, commandLine, options, fullPath, () => Task.FromResult(ControlTableSource.FromFile(fullPath)));
    }

    private void StartFromConnections()
    {
        if (_connections.Count == 0)
        {
            return;
        }

        var disposed = _connections.FirstOrDefault(static c => c.IsDisposed);
        if (disposed is not null)
        {
            WriteError(AnytunErrors.FromAny(new ObjectDisposedException(nameof(AnytunConnectionDefinition), $"Connection definition '{disposed}' was disposed; its key material is gone."), disposed.ToString()));
            return;
        }

        var name = Name ?? ControlServerSession.Registry.NextDefaultName();
        var host = ToHost(ListenAddress);
        var description = _connections.Count == 1 ? "1 connection definition" : $"{_connections.Count} connection definitions";
        var engineDefinitions = _connections.Select(static c => c.Definition).ToArray();
        Start(name, host, Port, $"{description} on {Describe(host, Port)}", null, description,
            () => ControlTableSource.FromDefinitionsAsync(engineDefinitions, null, StopToken));
    }

    private void Start(string name, string host, int port, string commandLine, ControlServerOptions? options, string what, Func<Task<ControlTableSource>> createSource)
    {
        if (ControlServerSession.Registry.Contains(name))
        {
            WriteError(ControlPlaneErrors.ControlServerAlreadyExists(name));
            return;
        }

        if (!ShouldProcess($"control server '{name}' serving {what} on TCP {Describe(host, port)}", "Start"))
        {
            return;
        }

        ControlTableSource source;
        try
        {
            source = createSource().GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            WriteError(AnytunErrors.FromAny(ex, what));
            return;
        }

        if (Wait)
        {
            RunInForeground(name, host, port, commandLine, options, source);
        }
        else
        {
            StartAsJob(name, host, port, commandLine, options, source);
        }
    }

    private void StartAsJob(string name, string host, int port, string commandLine, ControlServerOptions? options, ControlTableSource source)
    {
        var job = AnytunTunnelJobSourceAdapter.NewJob<AnytunControlServerJob>(JobManager, commandLine, name);
        var (session, error) = CreateAndStart(name, host, port, commandLine, options, source, job.Writer);
        if (session is null)
        {
            job.Discard();
            WriteError(error!);
            return;
        }

        job.Attach(session);
        job.StartJob();
        WriteObject(job);
    }

    private void RunInForeground(string name, string host, int port, string commandLine, ControlServerOptions? options, ControlTableSource source)
    {
        using var queue = new QueuedStreamWriter();
        var (session, error) = CreateAndStart(name, host, port, commandLine, options, source, queue);
        if (session is null)
        {
            queue.Drain(this);
            WriteError(error!);
            return;
        }

        _signals.Register();
        var handles = new[] { queue.DataAvailable, StopToken.WaitHandle, _signals.Token.WaitHandle, session.StopRequested.WaitHandle };
        try
        {
            while (!StopToken.IsCancellationRequested && !_signals.Token.IsCancellationRequested && !session.StopRequested.IsCancellationRequested)
            {
                WaitHandle.WaitAny(handles, TimeSpan.FromSeconds(1));
                if (!StopToken.IsCancellationRequested)
                {
                    queue.Drain(this);
                }
            }
        }
        finally
        {
            StopQuietly(session);
        }

        if (!StopToken.IsCancellationRequested)
        {
            queue.Drain(this);
        }
    }

    /// <summary>Creates the engine server, registers it under <paramref name="name"/> and starts it.</summary>
    private (ControlServerSession? Session, ErrorRecord? Error) CreateAndStart(
        string name, string host, int port, string commandLine, ControlServerOptions? options, ControlTableSource source, ITunnelStreamWriter writer)
    {
        ILoggerFactory loggers;
        try
        {
            loggers = CreateLoggers(writer, name, options);
        }
        catch (Exception ex)
        {
            return (null, AnytunErrors.FromAny(ex, name));
        }

        var limits = new ControlServerLimits { MaxClients = MaxClients, SendTimeout = TimeSpan.FromSeconds(SendTimeoutSec) };
        var server = new ControlServer(host, port, source, limits, loggers);
        var session = new ControlServerSession(name, server, loggers, commandLine);
        if (!ControlServerSession.Registry.TryAdd(session))
        {
            StopQuietly(session);
            return (null, ControlPlaneErrors.ControlServerAlreadyExists(name));
        }

        try
        {
            server.StartAsync(StopToken).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            StopQuietly(session);
            return (null, ControlPlaneErrors.StartFailed(ex, name));
        }

        WriteVerbose($"Control server '{name}' listens on TCP {string.Join(", ", server.LocalEndPoints)} serving {server.Source}.");
        return (session, null);
    }

    /// <summary>The server's log: this job's (or -Wait's) streams, plus the -L targets of an anytun-controld command line.</summary>
    private ILoggerFactory CreateLoggers(ITunnelStreamWriter writer, string name, ControlServerOptions? options)
    {
        using var logOptions = new TunnelOptions { Debug = options?.Debug ?? false };
        logOptions.LogTargets.AddRange(options?.LogTargets ?? Array.Empty<LogTarget>());
        return PowerShellStreamLoggerProvider.CreateFactory(writer, GetMinimumLogLevel(), name, logOptions);
    }

    private static void StopQuietly(ControlServerSession session)
    {
        try
        {
            session.StopAsync().Wait(StopTimeout);
        }
        catch (AggregateException)
        {
            // Best effort cleanup; the original error is what gets reported.
        }
    }
}
