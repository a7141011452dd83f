using System.Management.Automation;
using Anytun.Engine;
using Anytun.Engine.Control;
using Anytun.Engine.Routing;

namespace Anytun;

/// <summary>
/// Sync-AnytunConnection: brings a running tunnel's connections and routes to a given set (like wg syncconf), touching
/// only the differences: equal connections keep their keys, counters and traffic; applying the same set twice changes
/// nothing and says so.
/// </summary>
[Cmdlet(VerbsData.Sync, "AnytunConnection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(AnytunSyncResult))]
public sealed class SyncAnytunConnectionCommand : TunnelControlCmdlet
{
    private readonly List<AnytunConnectionDefinition> _definitions = new();

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TunnelNameCompleter))]
    public string TunnelName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyCollection]
    [ValidateNotNull]
    public AnytunConnectionDefinition[] InputObject { get; set; } = Array.Empty<AnytunConnectionDefinition>();

    [Parameter]
    public AnytunSyncMode Mode { get; set; } = AnytunSyncMode.Replace;

    [Parameter]
    public SwitchParameter NoKernelRoute { get; set; }

    protected override void ProcessRecord() => _definitions.AddRange(InputObject);

    protected override void EndProcessing()
    {
        if (TunnelResolver.ResolveOne(this, TunnelName) is not { } session)
        {
            return;
        }

        foreach (var definition in _definitions)
        {
            if (definition.IsDisposed)
            {
                ThrowTerminatingError(AnytunErrors.Create(AnytunErrorCode.InvalidOption, $"The definition of connection {definition.Mux} was disposed; its key material is gone. Nothing was changed.", "-InputObject"));
            }
        }

        using var desired = new TunnelConfiguration();
        foreach (var definition in _definitions)
        {
            desired.Connections.Add(definition.ToSpec());
        }

        var control = session.Tunnel.Control;
        var mode = Mode == AnytunSyncMode.Merge ? ApplyMode.Merge : ApplyMode.Replace;
        var plan = Plan(session, desired);
        if (!plan.HasChanges)
        {
            WriteVerbose($"tunnel '{session.Name}': no changes (already in the desired state).");
        }

        if (!ShouldProcess($"tunnel '{session.Name}'", $"Sync connections ({Mode}): {plan}"))
        {
            return;
        }

        try
        {
            var changes = control.Apply(desired, mode);
            WriteKernelRouteProblems(session.KernelRoutes.Follow(changes, install: !NoKernelRoute));
            var result = new AnytunSyncResult(session.Name, Mode, changes);
            WriteVerbose($"tunnel '{session.Name}': {result}");
            WriteObject(result);
        }
        catch (AnytunException ex)
        {
            ThrowTerminatingError(AnytunErrors.FromException(ex, parameterNames: true));
        }
    }

    /// <summary>What Apply would change, worked out from the current tables (for -WhatIf and the confirmation text).</summary>
    private AnytunSyncResult Plan(TunnelSession session, TunnelConfiguration desired)
    {
        var control = session.Tunnel.Control;
        var added = new List<ushort>();
        var changed = new List<ushort>();
        foreach (var spec in desired.Connections)
        {
            var current = control.GetConnection(spec.Mux);
            if (current is null)
            {
                added.Add(spec.Mux);
                continue;
            }

            // Apply keeps a known remote when the definition has none; compare the same way.
            var remoteHost = spec.RemoteHost;
            var remotePort = spec.RemotePort;
            if (remoteHost is null && current.RemoteHost is not null)
            {
                spec.RemoteHost = current.RemoteHost;
                spec.RemotePort = current.RemotePort ?? spec.RemotePort;
            }

            try
            {
                if (!control.HasIdenticalConnection(spec))
                {
                    changed.Add(spec.Mux);
                }
            }
            catch (AnytunException)
            {
                changed.Add(spec.Mux); // Apply reports the error itself
            }
            finally
            {
                spec.RemoteHost = remoteHost;
                spec.RemotePort = remotePort;
            }
        }

        var wanted = new Dictionary<IPPrefix, ushort>();
        foreach (var spec in desired.Connections)
        {
            foreach (var prefix in spec.Routes ?? Array.Empty<IPPrefix>())
            {
                wanted[prefix] = spec.Mux;
            }
        }

        var routes = control.GetRoutes();
        var routesAdded = wanted.Where(w => !routes.Any(r => r.Prefix == w.Key && r.Mux == w.Value)).Select(static w => w.Key).ToArray();
        var removed = Array.Empty<ushort>();
        var routesRemoved = Array.Empty<IPPrefix>();
        if (Mode == AnytunSyncMode.Replace)
        {
            var muxes = desired.Connections.Select(static c => c.Mux).ToHashSet();
            removed = control.GetConnections().Select(static c => c.Mux).Where(m => !muxes.Contains(m)).ToArray();
            routesRemoved = routes.Where(r => !wanted.ContainsKey(r.Prefix)).Select(static r => r.Prefix).ToArray();
        }

        return new AnytunSyncResult(session.Name, Mode, added.ToArray(), changed.ToArray(), removed, routesAdded, routesRemoved);
    }
}
