namespace Anytun.HelpGen.Markdown;

/// <summary>One line of a markdown file with its 1-based line number, so errors can point at it.</summary>
public readonly record struct SourceLine(int Number, string Text);
