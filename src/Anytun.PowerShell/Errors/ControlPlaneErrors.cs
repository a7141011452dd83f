using System.Management.Automation;
using Anytun.Engine;

namespace Anytun;

/// <summary>ErrorRecords of the control-plane cmdlets (control servers, connection tables, sync streams).</summary>
internal static class ControlPlaneErrors
{
    internal static ErrorRecord ControlServerNotFound(string name) => Record(
        new ItemNotFoundException($"No Anytun control server named '{name}' is running in this process."),
        "ControlServerNotFound",
        ErrorCategory.ObjectNotFound,
        name,
        "Run Get-AnytunControlServer to list the control servers of this process.");

    internal static ErrorRecord ControlServerAlreadyExists(string name) => Record(
        new InvalidOperationException($"A control server named '{name}' is already running."),
        "ControlServerAlreadyExists",
        ErrorCategory.ResourceExists,
        name,
        "Choose another -Name, or stop the running server with Stop-AnytunControlServer first.");

    internal static ErrorRecord ControlServerNotSpecified() => Record(
        new PSArgumentException("Stop-AnytunControlServer needs -Name or control servers from the pipeline."),
        "ControlServerNotSpecified",
        ErrorCategory.InvalidArgument,
        null,
        "Give -Name (wildcards work: -Name * stops every control server), or pipe servers from Get-AnytunControlServer.");

    /// <summary>A table file that does not exist; <paramref name="parameter"/> is how the user named it (-Path, -f/--file).</summary>
    internal static ErrorRecord TableFileNotFound(string path, string parameter) => Record(
        new ItemNotFoundException($"{parameter} '{path}': the connection table file does not exist."),
        "TableFileNotFound",
        ErrorCategory.ObjectNotFound,
        path,
        "Write the table first (Export-AnytunConnectionTable, or anytun-config >> file), or correct the path.");

    internal static ErrorRecord TableFileNotSpecified(string parameter) => Record(
        new PSArgumentException($"The anytun-controld command line has no -f/--file; anytun-controld would exit with 'unable to open file'."),
        "TableFileNotSpecified",
        ErrorCategory.InvalidArgument,
        parameter,
        "Add -f <table file> to the command line, or give Start-AnytunControlServer -Path.");

    internal static ErrorRecord FileExists(string path, string parameter) => Record(
        new IOException($"The file '{path}' already exists and {parameter} was given."),
        "NoClobber",
        ErrorCategory.ResourceExists,
        path,
        "Remove -NoClobber to overwrite it, or use -Append to add to it.");

    internal static ErrorRecord ConnectTimeout(string source, int seconds) => Record(
        new TimeoutException($"No TCP connection to {source} within {seconds} s."),
        "ConnectTimeout",
        ErrorCategory.OperationTimeout,
        source,
        "Check the address and port, and that a firewall lets TCP through; -ConnectTimeoutSec waits longer.");

    internal static ErrorRecord ConnectFailed(string source, System.Net.Sockets.SocketException exception) => Record(
        new IOException($"Cannot connect to {source}: {exception.Message}.", exception),
        "ConnectFailed",
        ErrorCategory.ConnectionError,
        source,
        "Check that anytun -S, anytun-controld or Start-AnytunControlServer listens there (ss -tlpn).");

    /// <summary>A start failure of a control server; bind errors get advice in the server's own terms.</summary>
    internal static ErrorRecord StartFailed(Exception exception, string name)
    {
        var record = AnytunErrors.FromAny(exception, name);
        if (exception is AnytunException { Code: AnytunErrorCode.AddressInUse or AnytunErrorCode.PermissionDenied } anytun)
        {
            record.ErrorDetails = new ErrorDetails($"Control server '{name}': {anytun.Message}")
            {
                RecommendedAction = anytun.Code == AnytunErrorCode.AddressInUse
                    ? "Choose another -Port or -ListenAddress, or stop whatever holds the port (ss -tlpn)."
                    : "Use a -Port of 1024 or above, or run PowerShell as root.",
            };
        }

        return record;
    }

    private static ErrorRecord Record(Exception exception, string errorId, ErrorCategory category, object? target, string action) =>
        new(exception, errorId, category, target)
        {
            ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = action },
        };
}
