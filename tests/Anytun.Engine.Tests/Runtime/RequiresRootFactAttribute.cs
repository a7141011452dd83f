using Xunit.Sdk;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// A fact that needs root (tun devices, network namespaces), iproute2 and the programs named, e.g.
/// <c>[RequiresRootFact("ping")]</c>. Without them it is skipped with the reason and the package to install, except
/// when CI=true: then it fails with that reason, so a CI job cannot pass by silently skipping.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Anytun.Engine.Tests.Support.PrerequisiteDiscoverer", "Anytun.Engine.Tests")]
public sealed class RequiresRootFactAttribute : FactAttribute
{
    public RequiresRootFactAttribute(params string[] programs)
    {
        Programs = ["ip", .. programs];
    }

    /// <summary>Read by the discoverer.</summary>
    public bool NeedsRoot => true;

    /// <summary>Programs the test runs (looked up on PATH); packages come from build/prerequisites.json.</summary>
    public string[] Programs { get; }
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
