using System.Diagnostics;
using System.Management.Automation;
using System.Runtime.InteropServices;
using Anytun.Engine;
using Anytun.Engine.Runtime;

namespace Anytun;

/// <summary>
/// Start-AnytunTunnel: opens the device and sockets, then returns the tunnel's job at once (as Start-ThreadJob).
/// -Wait keeps it in the foreground until Ctrl+C, SIGINT or SIGTERM; -WaitForPeer returns only once the peer
/// has sent an authenticated packet.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "AnytunTunnel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = ByParameters)]
[OutputType(typeof(AnytunTunnelJob))]
public sealed class StartAnytunTunnelCommand : TunnelParametersCmdlet
{
    private const string ByInputObject = "ByInputObject";
    private const int ProgressActivityId = 0x4E54;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _signalled = new();
    private PosixSignalRegistration? _sigterm;
    private PosixSignalRegistration? _sigint;

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

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByParameters)
        {
            // One tunnel from parameters: a failure is the whole command's failure, except an existing name,
            // which stays non-terminating so '-ErrorAction SilentlyContinue' makes the call idempotent.
            var error = StartOne(BuildDefinitionFromParameters());
            if (error is not null)
            {
                if (error.FullyQualifiedErrorId == AnytunErrors.TunnelAlreadyExistsId)
                {
                    WriteError(error);
                    return;
                }

                ThrowTerminatingError(error);
            }

            return;
        }

        foreach (var definition in InputObject)
        {
            var error = StartOne(definition);
            if (error is not null)
            {
                WriteError(error);
            }
        }
    }

    protected override void DisposeResources()
    {
        _sigterm?.Dispose();
        _sigint?.Dispose();
        _signalled.Dispose();
    }

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

    private static string ChooseName(AnytunTunnelDefinition definition)
    {
        if (definition.Name is { } name)
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
        var jobDefinition = new JobDefinition(typeof(AnytunTunnelJobSourceAdapter), definition.CommandLine, name);
        var job = (AnytunTunnelJob)JobManager.NewJob(new JobInvocationInfo(jobDefinition, new Dictionary<string, object>()));

        var (session, error) = CreateAndStart(definition, name, job.Writer, job);
        if (session is null)
        {
            job.Discard();
            return error;
        }

        job.StartJob();
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
        var (session, error) = CreateAndStart(definition, name, queue, null);
        if (session is null)
        {
            queue.Drain(this);
            return error;
        }

        RegisterSignals();
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
        AnytunTunnelDefinition definition, string name, ITunnelStreamWriter writer, AnytunTunnelJob? job)
    {
        var loggers = PowerShellStreamLoggerProvider.CreateFactory(writer, GetMinimumLogLevel(), name);
        Tunnel tunnel;
        try
        {
            tunnel = Tunnel.Create(definition.Options, loggers);
        }
        catch (Exception ex)
        {
            loggers.Dispose();
            return (null, AnytunErrors.FromAny(ex, name));
        }

        tunnel.Name = name;
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
            var target = ex is AnytunException { Target: { } engineTarget } ? engineTarget : name;
            return (null, AnytunErrors.FromAny(ex, target));
        }

        WriteVerbose($"Tunnel '{name}' is up on device '{tunnel.DeviceName}', UDP {string.Join(", ", tunnel.LocalEndPoints)}.");
        return (session, null);
    }

    /// <summary>Blocks until the first authenticated packet, with progress; null on success.</summary>
    private ErrorRecord? WaitForFirstPeerPacket(TunnelSession session, QueuedStreamWriter? queue)
    {
        using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(StopToken, _signalled.Token, session.StopRequested);
        var peer = session.Tunnel.WaitForPeerAsync(waitCancel.Token);
        var timeout = TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : Timeout.InfiniteTimeSpan;
        var clock = Stopwatch.StartNew();
        var progress = new ProgressRecord(ProgressActivityId, $"Tunnel '{session.Name}'", "Waiting for the first authenticated packet from the peer");
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

                progress.StatusDescription = $"Waiting for the first authenticated packet from the peer ({clock.Elapsed.TotalSeconds:0} s)";
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
                WriteVerbose($"Tunnel '{session.Name}': the peer is connected.");
                return null;
            }

            if (_signalled.IsCancellationRequested || session.StopRequested.IsCancellationRequested)
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
        var handles = new[] { queue.DataAvailable, StopToken.WaitHandle, _signalled.Token.WaitHandle, session.StopRequested.WaitHandle };
        while (true)
        {
            WaitHandle.WaitAny(handles, TimeSpan.FromSeconds(1));
            if (StopToken.IsCancellationRequested)
            {
                return null;
            }

            queue.Drain(this);
            if (_signalled.IsCancellationRequested || session.StopRequested.IsCancellationRequested)
            {
                WriteVerbose($"Tunnel '{session.Name}': stopping.");
                return null;
            }

            if (session.Tunnel.State == TunnelState.Faulted)
            {
                var fault = session.Tunnel.Fault ?? new InvalidOperationException($"Tunnel '{session.Name}' failed.");
                return AnytunErrors.FromAny(fault, session.Name);
            }
        }
    }

    // SIGTERM (systemd, docker stop) and SIGINT outside a console: stop cleanly instead of dying mid-packet.
    private void RegisterSignals()
    {
        if (_sigterm is not null)
        {
            return;
        }

        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        try
        {
            _signalled.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The cmdlet already finished.
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
