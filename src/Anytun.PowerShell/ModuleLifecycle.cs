using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Stops every tunnel when the module is removed or the process exits normally, so no device or socket
/// outlives its owner. (SIGTERM without Start-AnytunTunnel -Wait kills pwsh outright; the kernel then closes them.)
/// </summary>
public sealed class ModuleLifecycle : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);
    private static int _processExitHooked;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _processExitHooked, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        TunnelRegistry.StopAll(ExitTimeout);
    }

    private static void OnProcessExit(object? sender, EventArgs e) => TunnelRegistry.StopAll(ExitTimeout);
}
