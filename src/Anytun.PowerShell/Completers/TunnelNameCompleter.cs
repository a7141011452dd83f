using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Anytun;

/// <summary>Tab completion of the names of running tunnels.</summary>
public sealed class TunnelNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters) =>
        NameCompletion.Complete(wordToComplete, TunnelRegistry.All().Select(static s => s.Name));
}
