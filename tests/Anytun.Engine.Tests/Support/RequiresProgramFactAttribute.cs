using Xunit.Sdk;

namespace Anytun.Engine.Tests.Support;

/// <summary>
/// A fact that runs the programs named (no root needed), e.g. <c>[RequiresProgramFact("anytun")]</c>: skipped with
/// the package to install when one is missing, a failure under CI=true.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("Anytun.Engine.Tests.Support.PrerequisiteDiscoverer", "Anytun.Engine.Tests")]
public sealed class RequiresProgramFactAttribute : FactAttribute
{
    public RequiresProgramFactAttribute(params string[] programs)
    {
        Programs = programs;
    }

    /// <summary>Read by the discoverer.</summary>
    public bool NeedsRoot => false;

    /// <summary>Programs the test runs (looked up on PATH); packages come from build/prerequisites.json.</summary>
    public string[] Programs { get; }
}
