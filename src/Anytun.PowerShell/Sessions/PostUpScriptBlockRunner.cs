using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Anytun.Engine.Runtime;

namespace Anytun;

/// <summary>
/// Runs a -PostUpScript ScriptBlock once the device is up, in a private runspace (never the caller's, which may be
/// busy or gone), with the <see cref="AnytunTunnel"/> as its argument. Its output and errors go to the tunnel's streams;
/// a failing script is reported, never fatal to the tunnel.
/// </summary>
internal static class PostUpScriptBlockRunner
{
    internal static Func<Tunnel, CancellationToken, Task> Create(ScriptBlock scriptBlock, TunnelSession session)
    {
        // Only the text crosses runspaces: a ScriptBlock is bound to the runspace that created it.
        var script = scriptBlock.ToString();
        return (_, cancellationToken) => Task.Run(() => Run(script, session, cancellationToken), CancellationToken.None);
    }

    private static void Run(string script, TunnelSession session, CancellationToken cancellationToken)
    {
        var writer = session.Writer;
        try
        {
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            using var powerShell = PowerShell.Create();
            powerShell.Runspace = runspace;
            powerShell.AddScript(script).AddArgument(session.ToOutput());

            var streams = powerShell.Streams;
            streams.Error.DataAdded += (_, e) => writer.WriteError(streams.Error[e.Index]);
            streams.Warning.DataAdded += (_, e) => writer.WriteWarning(streams.Warning[e.Index].Message);
            streams.Verbose.DataAdded += (_, e) => writer.WriteVerbose(streams.Verbose[e.Index].Message);
            streams.Debug.DataAdded += (_, e) => writer.WriteDebug(streams.Debug[e.Index].Message);
            streams.Information.DataAdded += (_, e) => writer.WriteInformation(streams.Information[e.Index]);
            using var output = new PSDataCollection<PSObject>();
            output.DataAdded += (_, e) => writer.WriteOutput(output[e.Index]);

            using var stop = cancellationToken.Register(() => powerShell.BeginStop(null, null));
            var invocation = powerShell.BeginInvoke<PSObject, PSObject>(null, output);
            powerShell.EndInvoke(invocation);
        }
        catch (RuntimeException ex)
        {
            writer.WriteError(new ErrorRecord(ex.ErrorRecord, ex)
            {
                ErrorDetails = new ErrorDetails($"The post-up ScriptBlock of tunnel '{session.Name}' failed: {ex.Message}"),
            });
        }
        catch (Exception ex)
        {
            writer.WriteError(new ErrorRecord(ex, "PostUpScriptFailed", ErrorCategory.InvalidResult, session.Name));
        }
    }
}
