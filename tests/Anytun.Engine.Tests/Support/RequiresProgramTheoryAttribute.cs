using Xunit.Sdk;

namespace Anytun.Engine.Tests.Support;

/// <summary>The theory form of <see cref="RequiresProgramFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Anytun.Engine.Tests.Support.PrerequisiteDiscoverer", "Anytun.Engine.Tests")]
public sealed class RequiresProgramTheoryAttribute : TheoryAttribute
{
    public RequiresProgramTheoryAttribute(params string[] programs)
    {
        Programs = programs;
    }

    /// <summary>Read by the discoverer.</summary>
    public bool NeedsRoot => false;

    /// <summary>Programs the test runs (looked up on PATH); packages come from build/prerequisites.json.</summary>
    public string[] Programs { get; }
}
