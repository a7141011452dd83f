using Xunit.Sdk;

namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>The theory form of <see cref="RequiresRootFactAttribute"/> (same prerequisites, skip and CI rule).</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Anytun.Engine.Tests.Support.PrerequisiteDiscoverer", "Anytun.Engine.Tests")]
public sealed class RequiresRootTheoryAttribute : TheoryAttribute
{
    public RequiresRootTheoryAttribute(params string[] programs)
    {
        Programs = ["ip", .. programs];
    }

    /// <summary>Read by the discoverer.</summary>
    public bool NeedsRoot => true;

    /// <summary>Programs the test runs (looked up on PATH); packages come from build/prerequisites.json.</summary>
    public string[] Programs { get; }
}
