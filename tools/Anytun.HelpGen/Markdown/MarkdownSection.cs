namespace Anytun.HelpGen.Markdown;

/// <summary>A heading with the lines under it (up to the next heading of the same or a higher level) and its sub-headings.</summary>
public sealed class MarkdownSection
{
    public MarkdownSection(int level, string title, int line)
    {
        Level = level;
        Title = title;
        Line = line;
    }

    public int Level { get; }

    public string Title { get; }

    /// <summary>1-based line number of the heading in the source file.</summary>
    public int Line { get; }

    /// <summary>Lines between the heading and its first sub-heading.</summary>
    public List<SourceLine> Body { get; } = new();

    public List<MarkdownSection> Children { get; } = new();

    public MarkdownSection? FindChild(string title) =>
        Children.Find(c => string.Equals(c.Title, title, StringComparison.OrdinalIgnoreCase));
}
