using Xunit.Abstractions;
using Xunit.Sdk;

namespace Anytun.Engine.Tests.Support;

/// <summary>
/// Discovers a fact or theory whose attribute names prerequisites (NeedsRoot, Programs). When one is missing the test is
/// skipped with the reason; under CI=true it becomes a failing test case with the same reason instead, so CI cannot
/// pass by skipping, and the body (which would wait for a packet a missing program never sends) never runs.
/// </summary>
public sealed class PrerequisiteDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _diagnosticMessageSink;
    private readonly FactDiscoverer _facts;
    private readonly TheoryDiscoverer _theories;

    public PrerequisiteDiscoverer(IMessageSink diagnosticMessageSink)
    {
        _diagnosticMessageSink = diagnosticMessageSink;
        _facts = new FactDiscoverer(diagnosticMessageSink);
        _theories = new TheoryDiscoverer(diagnosticMessageSink);
    }

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var reason = Prerequisites.MissingReason(
            factAttribute.GetNamedArgument<bool>("NeedsRoot"),
            factAttribute.GetNamedArgument<string[]>("Programs") ?? []);
        if (reason is null)
        {
            var isTheory = (factAttribute as IReflectionAttributeInfo)?.Attribute is TheoryAttribute;
            return isTheory
                ? _theories.Discover(discoveryOptions, testMethod, factAttribute)
                : _facts.Discover(discoveryOptions, testMethod, factAttribute);
        }

        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        IXunitTestCase testCase = Runtime.RootEnvironment.IsCi
            ? new ExecutionErrorTestCase(_diagnosticMessageSink, display, displayOptions, testMethod, $"missing prerequisite (CI=true makes this a failure): {reason}")
            : new XunitSkippedDataRowTestCase(_diagnosticMessageSink, display, displayOptions, testMethod, reason);
        return [testCase];
    }
}
