using System.Management.Automation;
using Anytun.Engine;

namespace Anytun;

/// <summary>
/// The one place ErrorRecords are built: stable ErrorIds, the right category, the target the user named,
/// and a recommended action where there is a fix.
/// </summary>
internal static class AnytunErrors
{
    internal const string TunnelNotFoundId = "TunnelNotFound";
    internal const string TunnelAlreadyExistsId = "TunnelAlreadyExists";
    internal const string UnexpectedErrorId = "UnexpectedError";
    internal const string TunnelNotSpecifiedId = "TunnelNotSpecified";
    internal const string MuxInUseId = "MuxInUse";

    /// <summary>
    /// Maps an engine failure; <paramref name="target"/> overrides the engine's target when the user named something
    /// else. With <paramref name="parameterNames"/> (the tunnel was described with PowerShell parameters, not an anytun
    /// command line) the message and target name the parameters (-Passphrase) instead of anytun's options (-E/--passphrase).
    /// </summary>
    internal static ErrorRecord FromException(AnytunException exception, object? target = null, bool parameterNames = false)
    {
        var (errorId, category, action) = Map(exception.Code);
        var message = parameterNames ? ParameterNameMap.Rewrite(exception.Message) : exception.Message;
        var effectiveTarget = target ?? (parameterNames ? ParameterNameMap.ToParameter(exception.Target) : exception.Target);
        var record = new ErrorRecord(exception, errorId, category, effectiveTarget);
        if (action is not null || !ReferenceEquals(message, exception.Message))
        {
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = action };
        }

        return record;
    }

    /// <summary>Any exception: engine ones keep their code, others become 'UnexpectedError' instead of escaping raw.</summary>
    internal static ErrorRecord FromAny(Exception exception, object? target, bool parameterNames = false)
    {
        var inner = exception is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : exception;
        return inner switch
        {
            AnytunException anytun => FromException(anytun, target, parameterNames),
            OperationCanceledException => new ErrorRecord(inner, "OperationStopped", ErrorCategory.OperationStopped, target),
            _ => new ErrorRecord(inner, UnexpectedErrorId, ErrorCategory.NotSpecified, target),
        };
    }

    internal static ErrorRecord Create(AnytunErrorCode code, string message, object? target) =>
        FromException(new AnytunException(code, message, target as string), target);

    internal static ErrorRecord TunnelNotFound(string name) => new(
        new ItemNotFoundException($"No Anytun tunnel named '{name}' is running in this process."),
        TunnelNotFoundId,
        ErrorCategory.ObjectNotFound,
        name)
    {
        ErrorDetails = new ErrorDetails($"No Anytun tunnel named '{name}' is running in this process.")
        {
            RecommendedAction = "Run Get-AnytunTunnel to list the tunnels of this process.",
        },
    };

    /// <summary>Add-AnytunConnection on a mux that a different connection (other keys, remote, window or routes) holds.</summary>
    internal static ErrorRecord MuxInUse(string tunnelName, ushort mux, Exception inner)
    {
        var message = $"Tunnel '{tunnelName}' already has a different connection with mux {mux} (other key material, role, remote, window size or routes); nothing was added.";
        return new ErrorRecord(new InvalidOperationException(message, inner), MuxInUseId, ErrorCategory.ResourceExists, mux)
        {
            ErrorDetails = new ErrorDetails(message)
            {
                RecommendedAction = "Change it with Set-AnytunConnection, remove it with Remove-AnytunConnection first, or choose another -Mux.",
            },
        };
    }

    internal static ErrorRecord TunnelNotSpecified() => new(
        new PSArgumentException("Stop-AnytunTunnel needs -Name or tunnels from the pipeline."),
        TunnelNotSpecifiedId,
        ErrorCategory.InvalidArgument,
        null)
    {
        ErrorDetails = new ErrorDetails("Stop-AnytunTunnel needs -Name or tunnels from the pipeline; nothing was stopped.")
        {
            RecommendedAction = "Give -Name (wildcards work: -Name * stops every tunnel), or pipe tunnels from Get-AnytunTunnel.",
        },
    };

    internal static ErrorRecord TunnelAlreadyExists(string name) => new(
        new InvalidOperationException($"A tunnel named '{name}' is already running."),
        TunnelAlreadyExistsId,
        ErrorCategory.ResourceExists,
        name)
    {
        ErrorDetails = new ErrorDetails($"A tunnel named '{name}' is already running.")
        {
            RecommendedAction = "Choose another -Name, or stop the running tunnel with Stop-AnytunTunnel first.",
        },
    };

    private static (string ErrorId, ErrorCategory Category, string? RecommendedAction) Map(AnytunErrorCode code) => code switch
    {
        AnytunErrorCode.InvalidOption => ("InvalidOption", ErrorCategory.InvalidArgument, null),
        AnytunErrorCode.NotSupportedYet => ("NotSupportedYet", ErrorCategory.NotImplemented,
            "Remove the option; this version of the module does not implement it yet."),
        AnytunErrorCode.DeviceOpenFailed => ("DeviceOpenFailed", ErrorCategory.OpenError,
            "Check that /dev/net/tun exists (modprobe tun) and that the device name is free."),
        AnytunErrorCode.DeviceInUse => ("DeviceInUse", ErrorCategory.ResourceBusy,
            "Choose another -DeviceName, or stop the other tunnel or VPN program that uses this device."),
        AnytunErrorCode.PermissionDenied => ("PermissionDenied", ErrorCategory.PermissionDenied,
            "Run PowerShell as root or grant it CAP_NET_ADMIN (and CAP_NET_BIND_SERVICE for ports below 1024)."),
        AnytunErrorCode.AddressInUse => ("AddressInUse", ErrorCategory.ResourceUnavailable,
            "Choose another -LocalPort or -LocalAddress, or stop whatever holds the port (ss -ulpn)."),
        AnytunErrorCode.ResolveFailed => ("ResolveFailed", ErrorCategory.ObjectNotFound,
            "Check the host name and -AddressFamily."),
        AnytunErrorCode.InterfaceConfigFailed => ("InterfaceConfigFailed", ErrorCategory.InvalidOperation, null),
        AnytunErrorCode.SocketFailed => ("SocketFailed", ErrorCategory.ConnectionError, null),
        AnytunErrorCode.PostUpScriptFailed => ("PostUpScriptFailed", ErrorCategory.InvalidResult, null),
        AnytunErrorCode.PeerTimeout => ("PeerTimeout", ErrorCategory.OperationTimeout,
            "Check that the peer runs with the same key, cipher, auth algorithm and opposite role, and that UDP passes."),
        AnytunErrorCode.TunnelFaulted => ("TunnelFaulted", ErrorCategory.InvalidResult, null),
        AnytunErrorCode.AlreadyRunning => ("AlreadyRunning", ErrorCategory.ResourceExists, null),
        AnytunErrorCode.InvalidSyncData => ("InvalidSyncData", ErrorCategory.InvalidData, null),
        AnytunErrorCode.InvalidPrefix => ("InvalidPrefix", ErrorCategory.InvalidArgument,
            "Give the prefix as address/length, e.g. 10.0.0.0/8 or fd00::/8 (a bare address is a host route)."),
        AnytunErrorCode.ConnectionAlreadyExists => ("ConnectionAlreadyExists", ErrorCategory.ResourceExists,
            "Use Set-AnytunConnection to change it, or -ErrorAction SilentlyContinue to ignore an identical one."),
        AnytunErrorCode.ConnectionNotFound => ("ConnectionNotFound", ErrorCategory.ObjectNotFound,
            "Run Get-AnytunConnection to list the connections of the tunnel."),
        AnytunErrorCode.RouteAlreadyExists => ("RouteAlreadyExists", ErrorCategory.ResourceExists,
            "Remove the route first to point the prefix at another connection, or -ErrorAction SilentlyContinue to ignore an identical one."),
        AnytunErrorCode.RouteNotFound => ("RouteNotFound", ErrorCategory.ObjectNotFound,
            "Run Get-AnytunRoute to list the routes of the tunnel."),
        AnytunErrorCode.TunnelStopped => ("TunnelStopped", ErrorCategory.InvalidOperation,
            "The tunnel is stopped; start a new one with Start-AnytunTunnel."),
        _ => (code.ToString(), ErrorCategory.NotSpecified, null),
    };
}
