using Anytun.HelpGen.Markdown;

namespace Anytun.HelpGen.Parsing;

/// <summary>Turns markdown blocks into MAML paragraphs: prose joined and de-marked-up, code kept verbatim.</summary>
public static class ProseConverter
{
    public static List<string> ToParagraphs(IEnumerable<MarkdownBlock> blocks)
    {
        var paragraphs = new List<string>();
        foreach (var block in blocks)
        {
            paragraphs.Add(block.IsCode ? block.Text : InlineText.ToPlain(block));
        }

        return paragraphs;
    }
}
