namespace Anytun.HelpGen.Model;

/// <summary>A RELATED LINKS entry; <see cref="Uri"/> is empty for links to other help topics.</summary>
public sealed record LinkHelp(string Text, string Uri);
