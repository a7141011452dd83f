using System.Diagnostics;
using System.Management.Automation;
using Anytun.Engine;
using Anytun.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// Start-AnytunTunnel: opens the device and sockets, then returns the tunnel's job at once (as Start-ThreadJob); its log
/// records are the job's output. -Wait keeps it in the foreground, writing the log records to the pipeline, until
/// Ctrl+C, SIGINT or SIGTERM; -WaitForPeer returns only once the peer has sent an authenticated packet.
/// A tunnel that fails to start is a non-terminating error, whichever way it was described.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AnytunTunnel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ByParameters)]
[OutputType(typeof(AnytunTunnelJob), typeof(AnytunLogRecord))]
public sealed class StartAnytunTunnelCommand : TunnelParametersCmdlet
{
    private const string ByInputObject = "ByInputObject";
    private const string CmdletCategory = "Start-AnytunTunnel";
    private const int TunnelStoppingEventId = 2001;

    /// <summary>How a foreground tunnel is stopped; appended to its "is up" record.</summary>
    private const string UpHint = "; press Ctrl+C to stop";
    private const int ProgressActivityId = 0x4E54;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ResolveWarningWait = TimeSpan.FromSeconds(5);

    private readonly ForegroundSignals _signals = new();

    /// <summary>Name of the tunnel; with -InputObject it replaces the definition's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    [ValidateNotNull]
    public AnytunTunnelDefinition[] InputObject { get; set; } = Array.Empty<AnytunTunnelDefinition>();

    /// <summary>Stay in the foreground (log records on this command's streams) until Ctrl+C, SIGINT or SIGTERM.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Return only after the first authenticated packet from the peer.</summary>
    [Parameter]
    public SwitchParameter WaitForPeer { get; set; }

    /// <summary>Seconds -WaitForPeer waits before failing with 'PeerTimeout'; 0 waits indefinitely.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    /// <summary>How the tunnel waits while traffic is light; unset: ANYTUN_IDLE_MODE, else Warm.</summary>
    [Parameter]
    public AnytunIdleMode IdleMode { get; set; }

    protected override string? DefinitionName => Name;

    protected override void ProcessRecord()
    {
        // Each tunnel is one input: its failure (port in use, no permission, device busy) is non-terminating, so
        // -ErrorAction decides, and an existing name with SilentlyContinue makes the call idempotent. Only invalid
        // parameters (checked while building the definition) stop the command.
        var definitions = ParameterSetName == ByParameters ? new[] { BuildDefinitionFromParameters() } : InputObject;
        foreach (var definition in definitions)
        {
            var error = StartOne(definition);
            if (error is not null)
            {
                WriteError(error);
            }
        }
    }

    protected override void DisposeResources() => _signals.Dispose();

    /// <summary>Starts one tunnel; returns the error to report, or null.</summary>
    private ErrorRecord? StartOne(AnytunTunnelDefinition definition)
    {
        foreach (var warning in definition.Warnings)
        {
            WriteWarning(warning);
        }

        var name = ChooseName(definition);
        if (TunnelRegistry.Contains(name))
        {
            return AnytunErrors.TunnelAlreadyExists(name);
        }

        if (!ShouldProcess($"tunnel '{name}'", "Start"))
        {
            return null;
        }

        return Wait ? RunInForeground(definition, name) : StartAsJob(definition, name);
    }

    private string ChooseName(AnytunTunnelDefinition definition)
    {
        if ((Name ?? definition.Name) is { } name)
        {
            return name;
        }

        // "tun%d" style names are kernel templates, not names.
        if (definition.DeviceName is { } device && device.IndexOf('%') < 0)
        {
            return device;
        }

        return TunnelRegistry.NextDefaultName();
    }

    private ErrorRecord? StartAsJob(AnytunTunnelDefinition definition, string name)
    {
        var job = AnytunTunnelJobSourceAdapter.NewJob<AnytunTunnelJob>(JobManager, definition.CommandLine, name);

        var (session, error) = CreateAndStart(definition, name, job.Writer, job);
        if (session is null)
        {
            job.Discard();
            return error;
        }

        job.StartJob();
        WarnIfRemoteUnresolved(session, definition);
        if (WaitForPeer)
        {
            var peerError = WaitForFirstPeerPacket(session, null);
            if (peerError is not null)
            {
                job.StopJob();
                job.Discard();
                return peerError;
            }
        }

        WriteObject(job);
        return null;
    }

    private ErrorRecord? RunInForeground(AnytunTunnelDefinition definition, string name)
    {
        using var queue = new QueuedStreamWriter();
        var (session, error) = CreateAndStart(definition, name, queue, null, UpHint);
        if (session is null)
        {
            queue.Drain(this);
            return error;
        }

        _signals.Register();
        ErrorRecord? result = null;
        try
        {
            if (WaitForPeer)
            {
                result = WaitForFirstPeerPacket(session, queue);
            }

            if (result is null)
            {
                result = WaitUntilStopped(session, queue);
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

        return result;
    }

    /// <summary>Creates the engine tunnel, registers it under <paramref name="name"/> and starts it.</summary>
    private (TunnelSession? Session, ErrorRecord? Error) CreateAndStart(
        AnytunTunnelDefinition definition, string name, ITunnelStreamWriter writer, AnytunTunnelJob? job, string? upHint = null)
    {
        var parameterNames = definition.FromParameters;
        ILoggerFactory loggers;
        try
        {
            loggers = PowerShellStreamLoggerProvider.CreateFactory(writer, GetMinimumLogLevel(), name, definition.Options, upHint);
        }
        catch (Exception ex)
        {
            return (null, AnytunErrors.FromAny(ex, name, parameterNames));
        }

        Tunnel tunnel;
        try
        {
            tunnel = Tunnel.Create(definition.Options, loggers);
        }
        catch (Exception ex)
        {
            loggers.Dispose();
            return (null, AnytunErrors.FromAny(ex, name, parameterNames));
        }

        tunnel.Name = name;
        if (MyInvocation.BoundParameters.ContainsKey(nameof(IdleMode)))
        {
            tunnel.IdleMode = EngineEnumMap.ToEngine(IdleMode);
        }

        var session = new TunnelSession(name, definition, tunnel, loggers, writer);
        if (definition.PostUpScriptBlock is { } postUp)
        {
            tunnel.PostUpCallback = PostUpScriptBlockRunner.Create(postUp, session);
        }

        if (!TunnelRegistry.TryAdd(session))
        {
            StopQuietly(session);
            return (null, AnytunErrors.TunnelAlreadyExists(name));
        }

        job?.Attach(session);
        try
        {
            tunnel.StartAsync(StopToken).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            StopQuietly(session);
            var target = ex is AnytunException { Target: { } engineTarget }
                ? (parameterNames ? ParameterNameMap.ToParameter(engineTarget) : engineTarget)
                : name;
            return (null, AnytunErrors.FromAny(ex, target, parameterNames));
        }

        WriteOwnVerbose($"Tunnel '{name}' is up on device '{tunnel.DeviceName}', UDP {string.Join(", ", tunnel.LocalEndPoints)}.");
        return (session, null);
    }

    /// <summary>
    /// A typo in -RemoteAddress would otherwise start a tunnel that never sends: say so at once (the engine keeps retrying
    /// and its log has the same warning). Waits briefly for the first resolution; a slow resolver is not waited for.
    /// </summary>
    private void WarnIfRemoteUnresolved(TunnelSession session, AnytunTunnelDefinition definition)
    {
        var resolution = session.Tunnel.FirstResolution;
        try
        {
            if (!resolution.Wait(ResolveWarningWait, StopToken))
            {
                return;
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (resolution.Result is { } failure)
        {
            WriteWarning($"Tunnel '{session.Name}': could not resolve '{definition.RemoteAddress}' ({failure.Message}); the tunnel keeps retrying every 10 s.");
        }
    }

    /// <summary>Blocks until the first authenticated packet, with progress; null on success.</summary>
    private ErrorRecord? WaitForFirstPeerPacket(TunnelSession session, QueuedStreamWriter? queue)
    {
        using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(StopToken, _signals.Token, session.StopRequested);
        var peer = session.Tunnel.WaitForPeerAsync(waitCancel.Token);
        var timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : Timeout.InfiniteTimeSpan;
        var clock = Stopwatch.StartNew();
        // Short texts: the progress line of an 80-column terminal holds the activity, a bar and the status.
        var progress = new ProgressRecord(ProgressActivityId, $"Tunnel '{session.Name}'", "waiting for the peer");
        var handles = queue is null
            ? new[] { ((IAsyncResult)peer).AsyncWaitHandle }
            : new[] { ((IAsyncResult)peer).AsyncWaitHandle, queue.DataAvailable };
        try
        {
            while (!peer.IsCompleted)
            {
                if (timeout != Timeout.InfiniteTimeSpan && clock.Elapsed >= timeout)
                {
                    waitCancel.Cancel();
                    return AnytunErrors.Create(
                        AnytunErrorCode.PeerTimeout,
                        $"Tunnel '{session.Name}': no authenticated packet from the peer within {TimeoutSec} s; the tunnel was stopped.",
                        session.Name);
                }

                if (session.Tunnel.State is TunnelState.Faulted or TunnelState.Stopping or TunnelState.Stopped)
                {
                    break;
                }

                progress.StatusDescription = timeout == Timeout.InfiniteTimeSpan
                    ? $"waiting for the peer ({clock.Elapsed.TotalSeconds:0} s)"
                    : $"waiting for the peer ({clock.Elapsed.TotalSeconds:0} of {TimeoutSec} s)";
                if (timeout != Timeout.InfiniteTimeSpan)
                {
                    progress.PercentComplete = (int)Math.Min(99, clock.Elapsed.TotalSeconds * 100 / timeout.TotalSeconds);
                    progress.SecondsRemaining = (int)Math.Max(0, (timeout - clock.Elapsed).TotalSeconds);
                }

                WriteProgress(progress);
                WaitHandle.WaitAny(handles, ProgressInterval);
                queue?.Drain(this);
            }

            if (peer.IsCompletedSuccessfully)
            {
                WriteOwnVerbose($"Tunnel '{session.Name}': the peer is connected.");
                return null;
            }

            if (_signals.Token.IsCancellationRequested || session.StopRequested.IsCancellationRequested)
            {
                // -Wait: a signal or Stop-AnytunTunnel while waiting is a clean end, not an error.
                return null;
            }

            var fault = session.Tunnel.Fault ?? peer.Exception?.GetBaseException();
            return fault is null || fault is OperationCanceledException
                ? new ErrorRecord(
                    new OperationCanceledException($"Tunnel '{session.Name}' was stopped while waiting for its peer."),
                    "OperationStopped",
                    ErrorCategory.OperationStopped,
                    session.Name)
                : AnytunErrors.FromAny(fault, session.Name);
        }
        finally
        {
            if (!StopToken.IsCancellationRequested)
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }
    }

    /// <summary>-Wait: drains log records until Ctrl+C, a signal, Stop-AnytunTunnel or an engine fault.</summary>
    private ErrorRecord? WaitUntilStopped(TunnelSession session, QueuedStreamWriter queue)
    {
        var handles = new[] { queue.DataAvailable, StopToken.WaitHandle, _signals.Token.WaitHandle, session.StopRequested.WaitHandle };
        while (true)
        {
            WaitHandle.WaitAny(handles, TimeSpan.FromSeconds(1));
            if (StopToken.IsCancellationRequested)
            {
                return null;
            }

            queue.Drain(this);
            if (_signals.Token.IsCancellationRequested || session.StopRequested.IsCancellationRequested)
            {
                var reason = _signals.SignalName ?? "Stop-AnytunTunnel";
                WriteObject(new AnytunLogRecord(
                    DateTime.Now, AnytunLogLevel.Information, session.Name, CmdletCategory, TunnelStoppingEventId, "TunnelStopping",
                    $"tunnel '{session.Name}' is stopping ({reason})"));
                return null;
            }

            if (session.Tunnel.State == TunnelState.Faulted)
            {
                var fault = session.Tunnel.Fault ?? new InvalidOperationException($"Tunnel '{session.Name}' failed.");
                return AnytunErrors.FromAny(fault, session.Name);
            }
        }
    }

    /// <summary>
    /// The cmdlet's own verbose messages. With -Debug (which here only lowers the tunnel's log level) PowerShell would
    /// turn each into a prompt, which fails in a non-interactive session; the log has the same facts, so skip them then.
    /// </summary>
    private void WriteOwnVerbose(string message)
    {
        if (!MyInvocation.BoundParameters.ContainsKey("Debug") || MyInvocation.BoundParameters.ContainsKey("Verbose"))
        {
            WriteVerbose(message);
        }
    }

    private static void StopQuietly(TunnelSession session)
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
