using Anytun.Engine;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Device;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;

namespace Anytun;

/// <summary>
/// The kernel routes this module installed via a tunnel's tun device for the prefixes routed to its connections
/// (so the host sends those destinations into the tunnel at all). Only routes it added are ever removed: a prefix
/// the kernel already had a route for is left alone. Thread-safe; works in the caller's network namespace.
/// </summary>
internal sealed class KernelRouteTable
{
    private readonly Tunnel _tunnel;
    private readonly HashSet<IPPrefix> _installed = new();
    private readonly object _gate = new();

    internal KernelRouteTable(Tunnel tunnel)
    {
        _tunnel = tunnel;
    }

    /// <summary>True when <paramref name="prefix"/> has a kernel route this module added.</summary>
    internal bool Contains(IPPrefix prefix)
    {
        lock (_gate)
        {
            return _installed.Contains(prefix);
        }
    }

    /// <summary>Adds a kernel route per prefix via the device (tun devices of running tunnels only); returns what could not
    /// be added and why (the tunnel route stays: a kernel route is a convenience, not a condition).</summary>
    internal List<string> Install(IEnumerable<IPPrefix> prefixes)
    {
        var problems = new List<string>();
        if (_tunnel.DeviceKind != DeviceType.Tun || _tunnel.State != TunnelState.Running || _tunnel.DeviceName is not { } device)
        {
            return problems;
        }

        lock (_gate)
        {
            foreach (var prefix in prefixes)
            {
                if (_installed.Contains(prefix))
                {
                    continue;
                }

                try
                {
                    if (Netlink.AddRoute(device, prefix))
                    {
                        _installed.Add(prefix);
                    }
                }
                catch (AnytunException ex)
                {
                    problems.Add($"the kernel route {prefix} via {device} was not added ({ex.Message}); add it yourself or send {prefix} into the tunnel another way.");
                }
            }
        }

        return problems;
    }

    /// <summary>Removes the kernel routes of <paramref name="prefixes"/> that this module added; returns what failed.</summary>
    internal List<string> Uninstall(IEnumerable<IPPrefix> prefixes)
    {
        var problems = new List<string>();
        lock (_gate)
        {
            foreach (var prefix in prefixes)
            {
                if (!_installed.Remove(prefix) || _tunnel.DeviceName is not { } device)
                {
                    continue;
                }

                try
                {
                    Netlink.DeleteRoute(device, prefix);
                }
                catch (AnytunException ex)
                {
                    problems.Add($"the kernel route {prefix} via {device} was not removed ({ex.Message}).");
                }
            }
        }

        return problems;
    }

    /// <summary>Follows <paramref name="changes"/>: removed routes lose their kernel route; added ones get one when <paramref name="install"/>.</summary>
    internal List<string> Follow(ConfigurationChanges changes, bool install)
    {
        var removed = changes.Changes.Where(static c => c.Kind == TunnelChangeKind.RouteRemoved && c.Prefix is not null).Select(static c => c.Prefix!.Value);
        var problems = Uninstall(removed.ToList());
        if (install)
        {
            var added = changes.Changes.Where(static c => c.Kind is TunnelChangeKind.RouteAdded or TunnelChangeKind.RouteChanged && c.Prefix is not null);
            problems.AddRange(Install(added.Select(static c => c.Prefix!.Value).ToList()));
        }

        return problems;
    }

    /// <summary>At stop: removes every kernel route this module added (the device usually takes them with it).</summary>
    internal void UninstallAll()
    {
        List<IPPrefix> all;
        lock (_gate)
        {
            all = _installed.ToList();
        }

        _ = Uninstall(all);
    }
}
