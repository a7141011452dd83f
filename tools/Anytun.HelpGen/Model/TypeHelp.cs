namespace Anytun.HelpGen.Model;

/// <summary>An INPUTS or OUTPUTS entry: a type name and what it means.</summary>
public sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);
