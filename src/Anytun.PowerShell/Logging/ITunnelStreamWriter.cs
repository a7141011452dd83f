using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Where a tunnel's messages go: the job's streams, or a queue that a waiting cmdlet drains on its own thread.
/// Implementations are thread-safe, bounded, and never throw into engine threads.
/// </summary>
internal interface ITunnelStreamWriter
{
    void WriteOutput(object item);

    void WriteError(ErrorRecord record);

    void WriteWarning(string message);

    void WriteVerbose(string message);

    void WriteDebug(string message);

    void WriteInformation(InformationRecord record);
}
