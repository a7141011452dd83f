using System.Management.Automation;

namespace Anytun;

/// <summary>The completion rules the name completers share: prefix match ignoring case, quotes where needed.</summary>
internal static class NameCompletion
{
    private static readonly char[] NeedsQuoting = { ' ', '\t', '$', '`', '\'', '"', ';', '(', ')', '{', '}', '@', '#' };

    internal static IEnumerable<CompletionResult> Complete(string? wordToComplete, IEnumerable<string> names)
    {
        var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
        var results = new List<CompletionResult>();
        foreach (var name in names)
        {
            if (!pattern.IsMatch(name))
            {
                continue;
            }

            var text = name.IndexOfAny(NeedsQuoting) >= 0
                ? "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'"
                : name;
            results.Add(new CompletionResult(text, name, CompletionResultType.ParameterValue, name));
        }

        return results;
    }
}
