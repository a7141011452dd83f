using System.Management.Automation;
using System.Runtime.InteropServices;

namespace Anytun;

/// <summary>
/// Stops every tunnel and control server when the module is removed, the process exits normally, or SIGTERM arrives, so no device,
/// socket or engine thread outlives its owner.
/// </summary>
public sealed class ModuleLifecycle : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);
    private static readonly object Gate = new();
    private static bool _hooked;
    private static PosixSignalRegistration? _sigterm;

    public void OnImport()
    {
        lock (Gate)
        {
            if (_hooked)
            {
                return;
            }

            _hooked = true;
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

            // .NET 10 has no default SIGTERM handler: pwsh would die without ProcessExit. This handler stops the
            // tunnels and leaves Cancel false, so the process still terminates as the sender asked. A waiting
            // Start-AnytunTunnel -Wait registers its own handler that cancels, and then returns normally instead.
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, static _ => StopEverything());
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        StopEverything();
    }

    private static void StopEverything()
    {
        ControlServerSession.Registry.StopAll(ExitTimeout);
        TunnelRegistry.StopAll(ExitTimeout);
    }

    private static void OnProcessExit(object? sender, EventArgs e)
    {
        StopEverything();
        lock (Gate)
        {
            _sigterm?.Dispose();
            _sigterm = null;
        }
    }
}
