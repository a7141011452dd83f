using Xunit.Abstractions;
using Xunit.Sdk;

namespace Anytun.Engine.Tests.Support;

/// <summary>
/// Discovers a test whose attribute names prerequisites (NeedsRoot, Programs). When one is missing the test is skipped
/// with the reason; under CI=true it becomes a failing test case with the same reason instead, so CI cannot pass by
/// skipping and the body (which would wait for a packet a missing program never sends) never runs.
/// </summary>
public abstract class PrerequisiteDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _diagnosticMessageSink;

    protected PrerequisiteDiscoverer(IMessageSink diagnosticMessageSink)
    {
        _diagnosticMessageSink = diagnosticMessageSink;
    }

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var reason = Prerequisites.MissingReason(
            factAttribute.GetNamedArgument<bool>("NeedsRoot"),
            factAttribute.GetNamedArgument<string[]>("Programs") ?? []);
        if (reason is null)
        {
            return DiscoverRunnable(discoveryOptions, testMethod, factAttribute);
        }

        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        IXunitTestCase testCase = Runtime.RootEnvironment.IsCi
            ? new ExecutionErrorTestCase(_diagnosticMessageSink, display, displayOptions, testMethod, $"missing prerequisite (CI=true makes this a failure): {reason}")
            : new XunitSkippedDataRowTestCase(_diagnosticMessageSink, display, displayOptions, testMethod, reason);
        return [testCase];
    }

    protected abstract IEnumerable<IXunitTestCase> DiscoverRunnable(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute);
}

/// <summary><see cref="PrerequisiteDiscoverer"/> for facts.</summary>
public sealed class PrerequisiteFactDiscoverer : PrerequisiteDiscoverer
{
    private readonly FactDiscoverer _facts;

    public PrerequisiteFactDiscoverer(IMessageSink diagnosticMessageSink)
        : base(diagnosticMessageSink)
    {
        _facts = new FactDiscoverer(diagnosticMessageSink);
    }

    protected override IEnumerable<IXunitTestCase> DiscoverRunnable(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        _facts.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary><see cref="PrerequisiteDiscoverer"/> for theories.</summary>
public sealed class PrerequisiteTheoryDiscoverer : PrerequisiteDiscoverer
{
    private readonly TheoryDiscoverer _theories;

    public PrerequisiteTheoryDiscoverer(IMessageSink diagnosticMessageSink)
        : base(diagnosticMessageSink)
    {
        _theories = new TheoryDiscoverer(diagnosticMessageSink);
    }

    protected override IEnumerable<IXunitTestCase> DiscoverRunnable(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        _theories.Discover(discoveryOptions, testMethod, factAttribute);
}
