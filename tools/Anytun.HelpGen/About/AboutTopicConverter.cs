using System.Text;
using Anytun.HelpGen.Markdown;

namespace Anytun.HelpGen.About;

/// <summary>
/// Converts an about_*.md page (H1 topic name; H2 Short description, Long description, optional topic sections,
/// See also) into the plain-text about_*.help.txt layout Get-Help reads. Get-Help takes the 5th line as the
/// synopsis, so the header layout is fixed: TOPIC / name / blank / SHORT DESCRIPTION / synopsis.
/// </summary>
public static class AboutTopicConverter
{
    private const string ShortDescription = "Short description";
    private const string LongDescription = "Long description";
    private const string SeeAlso = "See also";

    public static string Convert(MarkdownDocument document)
    {
        string file = Path.GetFileName(document.Path);
        string topic = Path.GetFileNameWithoutExtension(document.Path);
        if (document.Root.Children.Count != 1 || !string.Equals(document.Root.Children[0].Title, topic, StringComparison.Ordinal))
        {
            throw new HelpGenException(file, "# " + topic, 1, $"expected exactly one '# {topic}' heading matching the file name");
        }

        var title = document.Root.Children[0];
        var synopsis = MarkdownBlockReader.Read(Require(file, title, ShortDescription).Body);
        if (synopsis.Count != 1 || synopsis[0].IsCode)
        {
            throw new HelpGenException(file, "## " + ShortDescription, title.Line, "must be exactly one paragraph");
        }

        if (MarkdownBlockReader.Read(Require(file, title, LongDescription).Body).Count == 0)
        {
            throw new HelpGenException(file, "## " + LongDescription, title.Line, "section is empty");
        }

        Require(file, title, SeeAlso);

        var output = new StringBuilder();
        output.Append("TOPIC\n    ").Append(topic).Append("\n\nSHORT DESCRIPTION\n");
        // One line on purpose: Get-Help shows line 5 only as the topic's synopsis.
        output.Append("    ").Append(InlineText.ToPlain(synopsis[0])).Append('\n');
        foreach (var section in title.Children)
        {
            if (section.Title == ShortDescription)
            {
                continue;
            }

            output.Append('\n').Append(section.Title.ToUpperInvariant()).Append('\n');
            AppendBody(output, section.Body);
            foreach (var sub in section.Children)
            {
                output.Append('\n').Append("  ").Append(sub.Title).Append('\n');
                AppendBody(output, sub.Body);
                if (sub.Children.Count > 0)
                {
                    throw new HelpGenException(file, "### " + sub.Title, sub.Children[0].Line, "headings deeper than ### are not supported");
                }
            }
        }

        return output.ToString();
    }

    private static MarkdownSection Require(string file, MarkdownSection title, string heading) =>
        title.FindChild(heading) ?? throw new HelpGenException(file, "## " + heading, title.Line, "required section is missing");

    private static void AppendBody(StringBuilder output, IReadOnlyList<SourceLine> body)
    {
        bool first = true;
        bool previousWasListItem = false;
        foreach (var block in MarkdownBlockReader.Read(body))
        {
            bool listItem = !block.IsCode && MarkdownBlockReader.IsListItem(block.Lines[0]);
            // Consecutive list items stay together; everything else is separated by a blank line.
            if (!first && !(listItem && previousWasListItem))
            {
                output.Append('\n');
            }

            previousWasListItem = listItem;

            if (block.IsCode)
            {
                foreach (string line in block.Lines)
                {
                    output.Append(line.Length == 0 ? string.Empty : "        " + line).Append('\n');
                }
            }
            else if (listItem)
            {
                TextWrapper.Append(output, InlineText.ToPlain(block), 4, 6);
            }
            else
            {
                TextWrapper.Append(output, InlineText.ToPlain(block), 4, 4);
            }

            first = false;
        }
    }
}
