using System.Text.RegularExpressions;
using Anytun.HelpGen.Markdown;
using Anytun.HelpGen.Model;

namespace Anytun.HelpGen.Parsing;

/// <summary>
/// Reads a platyPS schema 2.0.0 cmdlet page and checks it is complete and self-consistent: required sections,
/// a description for every parameter, well-formed yaml, every parameter named in SYNTAX documented in that set.
/// </summary>
public static partial class CommandHelpParser
{
    public const string CommonParametersHeading = "CommonParameters";

    private const string Synopsis = "SYNOPSIS";
    private const string Syntax = "SYNTAX";
    private const string Description = "DESCRIPTION";
    private const string Examples = "EXAMPLES";
    private const string Parameters = "PARAMETERS";
    private const string Inputs = "INPUTS";
    private const string Outputs = "OUTPUTS";
    private const string Notes = "NOTES";
    private const string RelatedLinks = "RELATED LINKS";

    private static readonly string[] SectionOrder =
        { Synopsis, Syntax, Description, Examples, Parameters, Inputs, Outputs, Notes, RelatedLinks };

    private static readonly string[] RequiredFrontMatter = { "external help file", "Module Name", "schema" };

    public static CommandHelp Parse(MarkdownDocument document)
    {
        string file = Path.GetFileName(document.Path);
        string expectedName = Path.GetFileNameWithoutExtension(document.Path);
        foreach (string key in RequiredFrontMatter)
        {
            if (!document.FrontMatter.ContainsKey(key))
            {
                throw new HelpGenException(file, "front matter", 1, $"missing '{key}'");
            }
        }

        if (document.FrontMatter["schema"] != "2.0.0")
        {
            throw new HelpGenException(file, "front matter", 1, "schema must be 2.0.0");
        }

        if (document.Root.Children.Count != 1)
        {
            throw new HelpGenException(file, "# Name", 1, "expected exactly one '# Verb-Noun' heading");
        }

        var title = document.Root.Children[0];
        if (!string.Equals(title.Title, expectedName, StringComparison.Ordinal))
        {
            throw new HelpGenException(file, "# Name", title.Line, $"heading '{title.Title}' does not match the file name '{expectedName}'");
        }

        CheckSections(file, title);
        string name = title.Title;
        var parameters = ReadParameters(file, Required(file, title, Parameters));
        var syntax = ReadSyntax(file, name, Required(file, title, Syntax), parameters);
        return new CommandHelp(
            name,
            RequiredProse(file, Required(file, title, Synopsis)) is var synopsis ? string.Join(' ', synopsis) : string.Empty,
            RequiredProse(file, Required(file, title, Description)),
            syntax,
            parameters,
            ReadTypes(file, Required(file, title, Inputs)),
            ReadTypes(file, Required(file, title, Outputs)),
            title.FindChild(Notes) is { } notes ? ProseConverter.ToParagraphs(MarkdownBlockReader.Read(notes.Body)) : new List<string>(),
            ReadExamples(file, Required(file, title, Examples)),
            ReadLinks(file, Required(file, title, RelatedLinks), document.FrontMatter.GetValueOrDefault("online version")));
    }

    private static void CheckSections(string file, MarkdownSection title)
    {
        int last = -1;
        foreach (var section in title.Children)
        {
            int index = Array.FindIndex(SectionOrder, s => string.Equals(s, section.Title, StringComparison.Ordinal));
            if (index < 0)
            {
                throw new HelpGenException(file, "## " + section.Title, section.Line,
                    $"unknown section (expected one of: {string.Join(", ", SectionOrder)}, upper case)");
            }

            if (index <= last)
            {
                throw new HelpGenException(file, "## " + section.Title, section.Line, "section is duplicated or out of order");
            }

            last = index;
        }
    }

    private static MarkdownSection Required(string file, MarkdownSection title, string heading) =>
        title.FindChild(heading) ?? throw new HelpGenException(file, "## " + heading, title.Line, "required section is missing");

    private static List<string> RequiredProse(string file, MarkdownSection section)
    {
        var paragraphs = ProseConverter.ToParagraphs(MarkdownBlockReader.Read(section.Body));
        if (paragraphs.Count == 0)
        {
            throw new HelpGenException(file, "## " + section.Title, section.Line, "section is empty");
        }

        return paragraphs;
    }

    private static List<SyntaxHelp> ReadSyntax(string file, string name, MarkdownSection section, List<ParameterHelp> parameters)
    {
        if (section.Children.Count == 0)
        {
            throw new HelpGenException(file, "## SYNTAX", section.Line, "no '### ParameterSetName' subsection");
        }

        var sets = new List<SyntaxHelp>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var set in section.Children)
        {
            string where = "### " + set.Title + " (SYNTAX)";
            bool isDefault = set.Title.EndsWith(" (Default)", StringComparison.Ordinal);
            string setName = isDefault ? set.Title[..^" (Default)".Length].Trim() : set.Title;
            var blocks = MarkdownBlockReader.Read(set.Body);
            if (blocks.Count != 1 || !blocks[0].IsCode)
            {
                throw new HelpGenException(file, where, set.Line, "expected exactly one code block with the syntax line");
            }

            string line = string.Join(' ', blocks[0].Lines).Trim();
            if (!line.StartsWith(name + " ", StringComparison.Ordinal) && line != name)
            {
                throw new HelpGenException(file, where, blocks[0].Line, $"syntax line must start with '{name}'");
            }

            var names = new List<string>();
            foreach (Match match in SyntaxParameterPattern().Matches(line))
            {
                string parameterName = match.Groups[1].Value;
                var parameter = parameters.Find(p => string.Equals(p.Name, parameterName, StringComparison.OrdinalIgnoreCase))
                    ?? throw new HelpGenException(file, where, blocks[0].Line, $"parameter -{parameterName} is not documented under ## PARAMETERS");
                if (parameter.ForSet(setName) is null)
                {
                    throw new HelpGenException(file, where, blocks[0].Line,
                        $"parameter -{parameter.Name} is in this syntax but its yaml 'Parameter Sets' does not list '{setName}'");
                }

                names.Add(parameter.Name);
                used.Add(parameter.Name);
            }

            sets.Add(new SyntaxHelp(setName, isDefault, names));
        }

        foreach (var parameter in parameters)
        {
            if (!used.Contains(parameter.Name))
            {
                throw new HelpGenException(file, "### -" + parameter.Name, 0, "parameter appears in no SYNTAX block");
            }
        }

        return sets;
    }

    private static List<ParameterHelp> ReadParameters(string file, MarkdownSection section)
    {
        var parameters = new List<ParameterHelp>();
        bool sawCommon = false;
        foreach (var entry in section.Children)
        {
            string where = "### " + entry.Title;
            if (entry.Title == CommonParametersHeading)
            {
                sawCommon = true;
                continue;
            }

            if (!entry.Title.StartsWith('-') || entry.Title.Length < 2 || entry.Title.Contains(' ', StringComparison.Ordinal))
            {
                throw new HelpGenException(file, where, entry.Line, "parameter heading must be '### -Name'");
            }

            var blocks = MarkdownBlockReader.Read(entry.Body);
            var description = new List<MarkdownBlock>();
            var sets = new List<ParameterSetHelp>();
            foreach (var block in blocks)
            {
                if (block.IsCode && string.Equals(block.Language, "yaml", StringComparison.OrdinalIgnoreCase))
                {
                    sets.Add(ParameterYamlReader.Read(block, file, where));
                }
                else if (sets.Count == 0)
                {
                    description.Add(block);
                }
                else
                {
                    throw new HelpGenException(file, where, block.Line, "text after the yaml block; the description goes before it");
                }
            }

            if (description.Count == 0)
            {
                throw new HelpGenException(file, where, entry.Line, "parameter has no description");
            }

            if (sets.Count == 0)
            {
                throw new HelpGenException(file, where, entry.Line, "parameter has no ```yaml block");
            }

            string name = entry.Title[1..];
            if (parameters.Exists(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new HelpGenException(file, where, entry.Line, "parameter is documented twice");
            }

            parameters.Add(new ParameterHelp(name, ProseConverter.ToParagraphs(description), sets, entry.Line));
        }

        if (!sawCommon)
        {
            throw new HelpGenException(file, "## PARAMETERS", section.Line, "missing '### CommonParameters'");
        }

        CheckParameterOrder(file, parameters);
        return parameters;
    }

    // platyPS order: alphabetical, then -Confirm and -WhatIf last, so pages stay diff-friendly.
    private static void CheckParameterOrder(string file, List<ParameterHelp> parameters)
    {
        static int Rank(string n) => n == "Confirm" ? 1 : n == "WhatIf" ? 2 : 0;
        for (int i = 1; i < parameters.Count; i++)
        {
            string a = parameters[i - 1].Name, b = parameters[i].Name;
            int order = Rank(a) != Rank(b) ? Rank(a).CompareTo(Rank(b)) : string.Compare(a, b, StringComparison.OrdinalIgnoreCase);
            if (order > 0)
            {
                throw new HelpGenException(file, "### -" + b, 0, $"parameters must be alphabetical then -Confirm, -WhatIf: -{b} comes before -{a}");
            }
        }
    }

    private static List<ExampleHelp> ReadExamples(string file, MarkdownSection section)
    {
        if (section.Children.Count == 0)
        {
            throw new HelpGenException(file, "## EXAMPLES", section.Line, "at least one '### Example 1: ...' is required");
        }

        var examples = new List<ExampleHelp>();
        foreach (var example in section.Children)
        {
            string where = "### " + example.Title;
            if (!ExampleTitlePattern().IsMatch(example.Title))
            {
                throw new HelpGenException(file, where, example.Line, "example heading must be 'Example N: what it does'");
            }

            var blocks = MarkdownBlockReader.Read(example.Body);
            if (blocks.Count == 0 || !blocks[0].IsCode || !string.Equals(blocks[0].Language, "powershell", StringComparison.OrdinalIgnoreCase))
            {
                throw new HelpGenException(file, where, example.Line, "an example starts with a ```powershell code block");
            }

            examples.Add(new ExampleHelp(example.Title, blocks[0].Text, ProseConverter.ToParagraphs(blocks.Skip(1))));
        }

        return examples;
    }

    private static List<TypeHelp> ReadTypes(string file, MarkdownSection section)
    {
        if (MarkdownBlockReader.Read(section.Body) is { Count: > 0 } loose)
        {
            throw new HelpGenException(file, "## " + section.Title, loose[0].Line, "write each type as '### TypeName' followed by its description");
        }

        var types = new List<TypeHelp>();
        foreach (var type in section.Children)
        {
            types.Add(new TypeHelp(type.Title, ProseConverter.ToParagraphs(MarkdownBlockReader.Read(type.Body))));
        }

        return types;
    }

    private static List<LinkHelp> ReadLinks(string file, MarkdownSection section, string? onlineVersion)
    {
        var links = new List<LinkHelp>();
        if (!string.IsNullOrWhiteSpace(onlineVersion))
        {
            links.Add(new LinkHelp("Online Version:", onlineVersion));
        }

        foreach (var block in MarkdownBlockReader.Read(section.Body))
        {
            string text = string.Join(' ', block.Lines).Trim();
            if (text.StartsWith("- ", StringComparison.Ordinal) || text.StartsWith("* ", StringComparison.Ordinal))
            {
                text = text[2..].Trim();
            }

            if (block.IsCode || !InlineText.TryReadLink(text, 0, out string linkText, out string uri, out int next) || next != text.Length)
            {
                throw new HelpGenException(file, "## RELATED LINKS", block.Line, $"expected a list of [text](uri) links, found '{text}'");
            }

            // Links to sibling pages (Get-AnytunTunnel.md) have no meaning in Get-Help; only absolute URIs are kept.
            links.Add(new LinkHelp(linkText, Uri.TryCreate(uri, UriKind.Absolute, out _) ? uri : string.Empty));
        }

        return links;
    }

    [GeneratedRegex(@"(?<=[\s\[])-([A-Za-z][A-Za-z0-9]*)")]
    private static partial Regex SyntaxParameterPattern();

    [GeneratedRegex(@"^Example \d+(: .+)?$")]
    private static partial Regex ExampleTitlePattern();
}
