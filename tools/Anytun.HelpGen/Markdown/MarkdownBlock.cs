namespace Anytun.HelpGen.Markdown;

/// <summary>A paragraph (or list item) of prose, or a fenced code block with its info string.</summary>
public sealed record MarkdownBlock(bool IsCode, string Language, IReadOnlyList<string> Lines, int Line)
{
    public string Text => string.Join('\n', Lines);
}
