using Anytun.HelpGen.Model;

namespace Anytun.HelpGen.Checks;

/// <summary>
/// Help text is written for each parameter of each cmdlet. The same description may appear on two pages only for the
/// same parameter (New-AnytunTunnel and Start-AnytunTunnel share their tunnel options): then the yaml blocks must agree
/// on type, aliases, accepted values, default and wildcard support. Identical text on parameters that differ in any of
/// these is a description copied to a parameter with another meaning, and fails the build. (tests/Pester/Help.Tests.ps1
/// also checks against the code that such parameters are one property declared once.)
/// </summary>
public static class SharedParameterCheck
{
    public static void Check(IReadOnlyList<(string File, CommandHelp Command)> pages)
    {
        var first = new Dictionary<(string Name, string Text), (string File, ParameterHelp Parameter)>();
        foreach (var (file, command) in pages)
        {
            foreach (var parameter in command.Parameters)
            {
                var key = (parameter.Name.ToUpperInvariant(), Normalize(parameter.Description));
                if (!first.TryGetValue(key, out var earlier))
                {
                    first[key] = (file, parameter);
                    continue;
                }

                var difference = Difference(earlier.Parameter.First, parameter.First);
                if (difference is not null)
                {
                    throw new HelpGenException(
                        Path.GetFileName(file),
                        "### -" + parameter.Name,
                        parameter.Line,
                        $"has the same description as -{earlier.Parameter.Name} in {Path.GetFileName(earlier.File)}, but {difference}: "
                        + "a parameter with another meaning needs a description of its own");
                }
            }
        }
    }

    private static string Normalize(IReadOnlyList<string> paragraphs) =>
        string.Join(' ', string.Join(' ', paragraphs).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The first field in which the two blocks describe different parameters, or null.</summary>
    private static string? Difference(ParameterSetHelp a, ParameterSetHelp b)
    {
        if (!string.Equals(a.Type, b.Type, StringComparison.Ordinal))
        {
            return $"Type {a.Type} vs {b.Type}";
        }

        if (!SameList(a.Aliases, b.Aliases))
        {
            return $"Aliases '{string.Join(", ", a.Aliases)}' vs '{string.Join(", ", b.Aliases)}'";
        }

        if (!SameList(a.AcceptedValues, b.AcceptedValues))
        {
            return $"Accepted values '{string.Join(", ", a.AcceptedValues)}' vs '{string.Join(", ", b.AcceptedValues)}'";
        }

        if (!string.Equals(a.DefaultValue, b.DefaultValue, StringComparison.Ordinal))
        {
            return $"Default value {a.DefaultValue} vs {b.DefaultValue}";
        }

        return a.Wildcards != b.Wildcards ? $"Accept wildcard characters {a.Wildcards} vs {b.Wildcards}" : null;
    }

    private static bool SameList(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var left = a.Order(StringComparer.OrdinalIgnoreCase).ToArray();
        var right = b.Order(StringComparer.OrdinalIgnoreCase).ToArray();
        return left.SequenceEqual(right, StringComparer.OrdinalIgnoreCase);
    }
}
