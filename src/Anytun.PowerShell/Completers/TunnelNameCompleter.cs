using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace Anytun;

/// <summary>Tab completion of the names of running tunnels.</summary>
public sealed class TunnelNameCompleter : IArgumentCompleter
{
    private static readonly char[] NeedsQuoting = { ' ', '\t', '$', '`', '\'', '"', ';', '(', ')', '{', '}', '@', '#' };

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
        var results = new List<CompletionResult>();
        foreach (var session in TunnelRegistry.All())
        {
            if (!pattern.IsMatch(session.Name))
            {
                continue;
            }

            var text = session.Name.IndexOfAny(NeedsQuoting) >= 0
                ? "'" + session.Name.Replace("'", "''", StringComparison.Ordinal) + "'"
                : session.Name;
            results.Add(new CompletionResult(text, session.Name, CompletionResultType.ParameterValue, session.Name));
        }

        return results;
    }
}
