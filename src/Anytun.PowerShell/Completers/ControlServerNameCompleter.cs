using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Anytun;

/// <summary>Tab completion of the names of running control servers.</summary>
public sealed class ControlServerNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters) =>
        NameCompletion.Complete(wordToComplete, ControlServerSession.Registry.All().Select(static s => s.Name));
}
