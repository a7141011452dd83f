namespace Anytun.HelpGen.Model;

/// <summary>One parameter set: its name and the parameter names in the order the syntax line shows them.</summary>
public sealed record SyntaxHelp(string SetName, bool IsDefault, IReadOnlyList<string> ParameterNames);
