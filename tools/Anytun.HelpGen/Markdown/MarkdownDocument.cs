namespace Anytun.HelpGen.Markdown;

/// <summary>
/// A markdown file split into YAML front matter and a heading tree. Headings inside fenced code blocks are
/// ignored, so PowerShell comments (<c># requires root</c>) in examples never start a section.
/// </summary>
public sealed class MarkdownDocument
{
    private MarkdownDocument(string path, IReadOnlyDictionary<string, string> frontMatter, MarkdownSection root)
    {
        Path = path;
        FrontMatter = frontMatter;
        Root = root;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, string> FrontMatter { get; }

    /// <summary>Level-0 pseudo section; its children are the H1 headings.</summary>
    public MarkdownSection Root { get; }

    public static MarkdownDocument Load(string path)
    {
        string[] lines = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string fileName = System.IO.Path.GetFileName(path);
        int index = 0;
        var frontMatter = ReadFrontMatter(lines, fileName, ref index);
        var root = new MarkdownSection(0, string.Empty, 0);
        var stack = new Stack<MarkdownSection>();
        stack.Push(root);
        bool inFence = false;
        for (; index < lines.Length; index++)
        {
            string text = lines[index];
            int number = index + 1;
            if (text.Contains("{{ Fill", StringComparison.Ordinal) || text.Contains("{{ Add", StringComparison.Ordinal))
            {
                throw new HelpGenException(fileName, stack.Peek().Title, number, "placeholder text left by Update-AnytunHelp.ps1: " + text.Trim());
            }

            if (text.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && TryReadHeading(text, out int level, out string title))
            {
                while (stack.Peek().Level >= level)
                {
                    stack.Pop();
                }

                var section = new MarkdownSection(level, title, number);
                stack.Peek().Children.Add(section);
                stack.Push(section);
                continue;
            }

            stack.Peek().Body.Add(new SourceLine(number, text));
        }

        if (inFence)
        {
            throw new HelpGenException(fileName, stack.Peek().Title, lines.Length, "code fence (```) is never closed");
        }

        return new MarkdownDocument(path, frontMatter, root);
    }

    private static Dictionary<string, string> ReadFrontMatter(string[] lines, string fileName, ref int index)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (lines.Length == 0 || lines[0].Trim() != "---")
        {
            return values;
        }

        for (index = 1; index < lines.Length; index++)
        {
            string line = lines[index];
            if (line.Trim() == "---")
            {
                index++;
                return values;
            }

            if (line.Trim().Length == 0)
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new HelpGenException(fileName, "front matter", index + 1, $"expected 'key: value', found '{line.Trim()}'");
            }

            values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        throw new HelpGenException(fileName, "front matter", lines.Length, "front matter is not closed by '---'");
    }

    private static bool TryReadHeading(string text, out int level, out string title)
    {
        level = 0;
        while (level < text.Length && text[level] == '#')
        {
            level++;
        }

        if (level is 0 or > 6 || level >= text.Length || text[level] != ' ')
        {
            title = string.Empty;
            level = 0;
            return false;
        }

        title = text[(level + 1)..].Trim();
        return true;
    }
}
