namespace Anytun.HelpGen.Markdown;

/// <summary>Splits section body lines into paragraphs, list items and fenced code blocks.</summary>
public static class MarkdownBlockReader
{
    public static List<MarkdownBlock> Read(IReadOnlyList<SourceLine> body)
    {
        var blocks = new List<MarkdownBlock>();
        var current = new List<string>();
        int start = 0;
        for (int i = 0; i < body.Count; i++)
        {
            string text = body[i].Text;
            string trimmed = text.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                Flush(blocks, current, start);
                string language = trimmed[3..].Trim();
                int fenceLine = body[i].Number;
                var code = new List<string>();
                for (i++; i < body.Count && !body[i].Text.Trim().StartsWith("```", StringComparison.Ordinal); i++)
                {
                    code.Add(body[i].Text);
                }

                blocks.Add(new MarkdownBlock(true, language, code, fenceLine));
                continue;
            }

            if (trimmed.Length == 0)
            {
                Flush(blocks, current, start);
                continue;
            }

            // Each list item is its own block so it keeps its own line in the rendered help.
            if (IsListItem(trimmed))
            {
                Flush(blocks, current, start);
            }

            if (current.Count == 0)
            {
                start = body[i].Number;
            }

            current.Add(trimmed);
        }

        Flush(blocks, current, start);
        return blocks;
    }

    public static bool IsListItem(string trimmed) =>
        trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal) ||
        (trimmed.Length > 2 && char.IsAsciiDigit(trimmed[0]) && trimmed.IndexOf(". ", StringComparison.Ordinal) is > 0 and < 4);

    private static void Flush(List<MarkdownBlock> blocks, List<string> current, int start)
    {
        if (current.Count > 0)
        {
            blocks.Add(new MarkdownBlock(false, string.Empty, current.ToArray(), start));
            current.Clear();
        }
    }
}
