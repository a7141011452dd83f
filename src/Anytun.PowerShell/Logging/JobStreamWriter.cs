using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Writes to a job's PSDataCollections from any thread. Each stream is capped (a tunnel runs for days and
/// nobody may call Receive-Job); what does not fit is counted, and one warning says records were dropped.
/// After <see cref="Close"/> writes are ignored, because PowerShell closes the collections at the final state.
/// </summary>
internal sealed class JobStreamWriter : ITunnelStreamWriter
{
    internal const int DefaultLimitPerStream = 1000;

    private readonly Job _job;
    private readonly int _limit;
    private readonly object _gate = new();
    private bool _closed;
    private long _dropped;

    internal JobStreamWriter(Job job, int limitPerStream = DefaultLimitPerStream)
    {
        _job = job;
        _limit = limitPerStream;
    }

    /// <summary>Records dropped because a stream was full.</summary>
    internal long DroppedRecords => Interlocked.Read(ref _dropped);

    public void WriteOutput(object item) => Add(_job.Output, PSObject.AsPSObject(item));

    public void WriteError(ErrorRecord record) => Add(_job.Error, record);

    public void WriteWarning(string message) => Add(_job.Warning, new WarningRecord(message));

    public void WriteVerbose(string message) => Add(_job.Verbose, new VerboseRecord(message));

    public void WriteDebug(string message) => Add(_job.Debug, new DebugRecord(message));

    public void WriteInformation(InformationRecord record) => Add(_job.Information, record);

    /// <summary>Stops all further writes; call before the job enters a final state.</summary>
    internal void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }

    private void Add<T>(PSDataCollection<T> stream, T item)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                if (stream.Count >= _limit)
                {
                    if (Interlocked.Increment(ref _dropped) == 1)
                    {
                        // One slot over the cap so the user learns why records are missing.
                        _job.Warning.Add(new WarningRecord(
                            $"Tunnel job '{_job.Name}': a stream holds {_limit} unread records; further records are dropped until Receive-Job reads them."));
                    }

                    return;
                }

                stream.Add(item);
            }
            catch (PSInvalidOperationException)
            {
                // The collection was closed underneath us (job already final); never throw into an engine thread.
                _closed = true;
            }
        }
    }
}
