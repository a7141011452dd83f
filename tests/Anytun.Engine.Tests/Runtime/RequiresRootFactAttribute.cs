namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// A fact that needs root (tun devices, network namespaces). Skipped with a reason when not root, except when
/// CI=true: then it runs and fails, so a CI job cannot pass by silently skipping.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRootFactAttribute : FactAttribute
{
    public RequiresRootFactAttribute()
    {
        if (!RootEnvironment.IsRoot && !RootEnvironment.IsCi)
        {
            Skip = "needs root (tun device + network namespaces); run as root or set CI=true to make this a failure";
        }
    }
}

internal static class RootEnvironment
{
    public static bool IsRoot => GetEuid() == 0;

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fails the test with a clear message when it runs without root (the CI case).</summary>
    public static void Require()
    {
        if (!IsRoot)
        {
            Assert.Fail("this test needs root (CI=true makes a missing root a failure instead of a skip)");
        }

        if (!File.Exists("/dev/net/tun"))
        {
            Assert.Fail("/dev/net/tun is missing");
        }
    }

    private static uint GetEuid()
    {
        try
        {
            return NativeMethods.geteuid();
        }
        catch (DllNotFoundException)
        {
            return uint.MaxValue;
        }
        catch (EntryPointNotFoundException)
        {
            return uint.MaxValue;
        }
    }

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.DllImport("libc")]
        public static extern uint geteuid();
    }
}
