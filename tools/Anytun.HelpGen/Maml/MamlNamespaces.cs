namespace Anytun.HelpGen.Maml;

/// <summary>The XML namespaces PowerShell's MAML reader expects (as in every shipped *-help.xml).</summary>
public static class MamlNamespaces
{
    public const string HelpItems = "http://msh";
    public const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    public const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public const string MSHelp = "http://msdn.microsoft.com/mshelp";
}
