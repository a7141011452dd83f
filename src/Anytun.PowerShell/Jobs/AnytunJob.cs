using System.ComponentModel;
using System.Management.Automation;

namespace Anytun;

/// <summary>
/// What the module's jobs (tunnels, control servers) share: bounded log streams written from any thread, the
/// asynchronous stop PowerShell waits for, and no suspend/resume. Derived jobs say how they start and stop.
/// </summary>
public abstract class AnytunJob : Job2
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly AnytunTunnelJobSourceAdapter _adapter;
    private readonly JobStreamWriter _writer;

    private protected AnytunJob(AnytunTunnelJobSourceAdapter adapter, string command, string name, string jobTypeName)
        : base(command, name)
    {
        _adapter = adapter;
        PSJobTypeName = jobTypeName;
        _writer = new JobStreamWriter(this);
    }

    /// <summary>Log records dropped because a stream held too many unread records.</summary>
    public long DroppedRecordCount => _writer.DroppedRecords;

    public override bool HasMoreData =>
        Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Verbose.Count > 0 ||
        Debug.Count > 0 || Information.Count > 0 || Progress.Count > 0;

    public override string Location => "localhost";

    internal ITunnelStreamWriter Writer => _writer;

    /// <summary>Serialises state changes of the job.</summary>
    private protected object StateGate { get; } = new();

    /// <summary>How Suspend/Resume refusals tell the user to stop this kind of job.</summary>
    private protected abstract string StopHint { get; }

    /// <summary>What the job runs, for messages: "Tunnel", "Control server".</summary>
    private protected abstract string WorkKind { get; }

    /// <summary>The cmdlet that starts this kind of job.</summary>
    private protected abstract string StartCommand { get; }

    /// <summary>Whether the work was attached (the cmdlet attaches it once it is up).</summary>
    private protected abstract bool HasWork { get; }

    /// <summary>Marks the job Running; the cmdlet calls it once the work is up.</summary>
    public override void StartJob()
    {
        lock (StateGate)
        {
            if (!HasWork)
            {
                throw new InvalidOperationException($"This job runs nothing yet; start {WorkKind.ToLowerInvariant()}s with {StartCommand}.");
            }

            if (JobStateInfo.State == JobState.NotStarted)
            {
                SetJobState(JobState.Running);
            }
        }
    }

    /// <summary>Stops the work (bounded), then sets Stopped. Idempotent.</summary>
    public override void StopJob(bool force, string? reason)
    {
        lock (StateGate)
        {
            if (IsFinal(JobStateInfo.State))
            {
                return;
            }

            SetJobState(JobState.Stopping);
            if (HasWork)
            {
                try
                {
                    if (!StopWorkAsync().Wait(StopTimeout))
                    {
                        Writer.WriteWarning($"{WorkKind} '{Name}' did not stop within {StopTimeout.TotalSeconds} s.");
                    }
                }
                catch (AggregateException ex)
                {
                    Writer.WriteError(AnytunErrors.FromAny(ex, Name));
                }
            }

            Finish(JobState.Stopped);
        }
    }

    public override void StartJobAsync()
    {
        StartJob();
        OnStartJobCompleted(new AsyncCompletedEventArgs(null, false, null));
    }

    public override void StopJob() => StopJob(false, null);

    public override void StopJobAsync() => StopJobAsync(false, null);

    public override void StopJobAsync(bool force, string? reason)
    {
        // Stop-Job waits for StopJobCompleted; raise it even if stopping failed, or Stop-Job hangs.
        Task.Run(() =>
        {
            Exception? error = null;
            try
            {
                StopJob(force, reason);
            }
            catch (Exception ex)
            {
                error = ex;
            }

            OnStopJobCompleted(new AsyncCompletedEventArgs(error, false, null));
        });
    }

    public override void SuspendJob() => throw NotSupported();

    public override void SuspendJobAsync() => throw NotSupported();

    public override void SuspendJob(bool force, string? reason) => throw NotSupported();

    public override void SuspendJobAsync(bool force, string? reason) => throw NotSupported();

    public override void ResumeJob() => throw NotSupported();

    public override void ResumeJobAsync() => throw NotSupported();

    public override void UnblockJob() => throw NotSupported();

    public override void UnblockJobAsync() => throw NotSupported();

    /// <summary>The work never came up: forget the job without a trace (it was never Running).</summary>
    internal void Discard()
    {
        _writer.Close();
        _adapter.RemoveJob(this);
        Dispose();
    }

    /// <summary>Stops the attached work; <see cref="StopJob(bool, string)"/> bounds the wait.</summary>
    private protected abstract Task StopWorkAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsFinal(JobStateInfo.State) && HasWork)
        {
            // Remove-Job -Force on running work; never joins the calling thread (see StopJob).
            StopJob();
        }

        base.Dispose(disposing);
    }

    /// <summary>Stops further writes (PowerShell closes the streams at the final state), then sets <paramref name="state"/>.</summary>
    private protected void Finish(JobState state)
    {
        _writer.Close();
        SetJobState(state);
    }

    private protected static bool IsFinal(JobState state) =>
        state is JobState.Completed or JobState.Failed or JobState.Stopped;

    private NotSupportedException NotSupported() =>
        new($"Anytun {PSJobTypeName} jobs cannot be suspended, resumed or unblocked; {StopHint}.");
}
