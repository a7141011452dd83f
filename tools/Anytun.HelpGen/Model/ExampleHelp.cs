namespace Anytun.HelpGen.Model;

/// <summary>An example: title, its first (PowerShell) code block, and the remarks after it.</summary>
public sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);
