using System.Collections.Concurrent;
using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Collects records from engine threads for a cmdlet that waits in the foreground (Start-AnytunTunnel -Wait):
/// only the pipeline thread may call Write*, so it drains this queue itself.
/// </summary>
internal sealed class QueuedStreamWriter : ITunnelStreamWriter, IDisposable
{
    internal const int DefaultCapacity = 10000;

    private readonly ConcurrentQueue<(StreamKind Kind, object Item)> _queue = new();
    private readonly AutoResetEvent _dataAvailable = new(false);
    private readonly int _capacity;
    private int _count;
    private long _dropped;

    internal QueuedStreamWriter(int capacity = DefaultCapacity)
    {
        _capacity = capacity;
    }

    private enum StreamKind
    {
        Output,
        Error,
        Warning,
        Verbose,
        Debug,
        Information,
    }

    /// <summary>Signalled when something was queued.</summary>
    internal WaitHandle DataAvailable => _dataAvailable;

    public void WriteOutput(object item) => Enqueue(StreamKind.Output, item);

    public void WriteError(ErrorRecord record) => Enqueue(StreamKind.Error, record);

    public void WriteWarning(string message) => Enqueue(StreamKind.Warning, message);

    public void WriteVerbose(string message) => Enqueue(StreamKind.Verbose, message);

    public void WriteDebug(string message) => Enqueue(StreamKind.Debug, message);

    public void WriteInformation(InformationRecord record) => Enqueue(StreamKind.Information, record);

    /// <summary>Writes everything queued so far to <paramref name="cmdlet"/>; call on its pipeline thread only.</summary>
    internal void Drain(Cmdlet cmdlet)
    {
        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0)
        {
            cmdlet.WriteWarning($"{dropped} log records were dropped because they arrived faster than they could be written.");
        }

        while (_queue.TryDequeue(out var entry))
        {
            Interlocked.Decrement(ref _count);
            switch (entry.Kind)
            {
                case StreamKind.Output:
                    cmdlet.WriteObject(entry.Item);
                    break;
                case StreamKind.Error:
                    cmdlet.WriteError((ErrorRecord)entry.Item);
                    break;
                case StreamKind.Warning:
                    cmdlet.WriteWarning((string)entry.Item);
                    break;
                case StreamKind.Verbose:
                    cmdlet.WriteVerbose((string)entry.Item);
                    break;
                case StreamKind.Debug:
                    cmdlet.WriteDebug((string)entry.Item);
                    break;
                default:
                    var record = (InformationRecord)entry.Item;
                    cmdlet.WriteInformation(record.MessageData, record.Tags.ToArray());
                    break;
            }
        }
    }

    public void Dispose() => _dataAvailable.Dispose();

    private void Enqueue(StreamKind kind, object item)
    {
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _queue.Enqueue((kind, item));
        try
        {
            _dataAvailable.Set();
        }
        catch (ObjectDisposedException)
        {
            // The cmdlet already finished; late records are simply not shown.
        }
    }
}
