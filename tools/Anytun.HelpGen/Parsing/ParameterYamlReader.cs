using Anytun.HelpGen.Markdown;
using Anytun.HelpGen.Model;

namespace Anytun.HelpGen.Parsing;

/// <summary>Reads the platyPS parameter yaml block (a flat list of <c>Key: value</c> lines with a fixed key set).</summary>
public static class ParameterYamlReader
{
    private const string TypeKey = "Type";
    private const string SetsKey = "Parameter Sets";
    private const string AliasesKey = "Aliases";
    private const string AcceptedKey = "Accepted values";
    private const string RequiredKey = "Required";
    private const string PositionKey = "Position";
    private const string DefaultKey = "Default value";
    private const string PipelineKey = "Accept pipeline input";
    private const string WildcardKey = "Accept wildcard characters";

    private static readonly string[] KnownKeys =
        { TypeKey, SetsKey, AliasesKey, AcceptedKey, RequiredKey, PositionKey, DefaultKey, PipelineKey, WildcardKey };

    private static readonly string[] MandatoryKeys = { TypeKey, SetsKey, RequiredKey, PositionKey, PipelineKey, WildcardKey };

    public static ParameterSetHelp Read(MarkdownBlock block, string file, string section)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < block.Lines.Count; i++)
        {
            string line = block.Lines[i];
            int number = block.Line + 1 + i;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new HelpGenException(file, section, number, $"malformed yaml line '{line.Trim()}' (expected 'Key: value')");
            }

            string key = line[..colon].Trim();
            if (Array.IndexOf(KnownKeys, key) < 0)
            {
                throw new HelpGenException(file, section, number,
                    $"unknown yaml key '{key}' (known: {string.Join(", ", KnownKeys)})");
            }

            if (!values.TryAdd(key, line[(colon + 1)..].Trim()))
            {
                throw new HelpGenException(file, section, number, $"yaml key '{key}' appears twice");
            }
        }

        foreach (string key in MandatoryKeys)
        {
            if (!values.TryGetValue(key, out string? value) || value.Length == 0)
            {
                throw new HelpGenException(file, section, block.Line, $"yaml block has no value for '{key}'");
            }
        }

        string position = values[PositionKey];
        if (!string.Equals(position, "Named", StringComparison.OrdinalIgnoreCase) && !int.TryParse(position, out _))
        {
            throw new HelpGenException(file, section, block.Line, $"Position must be 'Named' or a number, found '{position}'");
        }

        ReadPipeline(values[PipelineKey], file, section, block.Line, out bool byValue, out bool byPropertyName);
        return new ParameterSetHelp(
            values[TypeKey],
            SplitList(values[SetsKey]),
            SplitList(values.GetValueOrDefault(AliasesKey, string.Empty)),
            SplitList(values.GetValueOrDefault(AcceptedKey, string.Empty)),
            ReadBool(values[RequiredKey], RequiredKey, file, section, block.Line),
            int.TryParse(position, out int index) ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : "named",
            values.GetValueOrDefault(DefaultKey, "None") is { Length: > 0 } d ? d : "None",
            byValue,
            byPropertyName,
            ReadBool(values[WildcardKey], WildcardKey, file, section, block.Line));
    }

    private static string[] SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool ReadBool(string value, string key, string file, string section, int line) =>
        value.ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new HelpGenException(file, section, line, $"'{key}' must be True or False, found '{value}'"),
        };

    // Accepts "False", "True (ByValue)", "True (ByPropertyName)", "True (ByPropertyName, ByValue)" in any order.
    private static void ReadPipeline(string value, string file, string section, int line, out bool byValue, out bool byPropertyName)
    {
        byValue = byPropertyName = false;
        if (string.Equals(value, "False", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        int open = value.IndexOf('(', StringComparison.Ordinal);
        int close = value.LastIndexOf(')');
        if (!value.StartsWith("True", StringComparison.OrdinalIgnoreCase) || open < 0 || close < open)
        {
            throw new HelpGenException(file, section, line,
                $"'Accept pipeline input' must be False or True (ByValue|ByPropertyName), found '{value}'");
        }

        foreach (string kind in SplitList(value[(open + 1)..close]))
        {
            if (string.Equals(kind, "ByValue", StringComparison.OrdinalIgnoreCase))
            {
                byValue = true;
            }
            else if (string.Equals(kind, "ByPropertyName", StringComparison.OrdinalIgnoreCase))
            {
                byPropertyName = true;
            }
            else
            {
                throw new HelpGenException(file, section, line, $"unknown pipeline input kind '{kind}'");
            }
        }

        if (!byValue && !byPropertyName)
        {
            throw new HelpGenException(file, section, line, "'Accept pipeline input: True (...)' names no kind");
        }
    }
}
