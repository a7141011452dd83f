using Anytun.HelpGen;
using Anytun.HelpGen.Checks;
using Anytun.HelpGen.About;
using Anytun.HelpGen.Maml;
using Anytun.HelpGen.Markdown;
using Anytun.HelpGen.Model;
using Anytun.HelpGen.Parsing;

// Usage: Anytun.HelpGen <docsDir> <outDir>
// docsDir holds <Verb-Noun>.md cmdlet pages and about_*.md topics; outDir receives the MAML file and about_*.help.txt.
const string MamlFileName = "Anytun.PowerShell.dll-Help.xml";

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Anytun.HelpGen <docsDir> <outDir>");
    return 2;
}

string docsDir = args[0];
string outDir = args[1];
if (!Directory.Exists(docsDir))
{
    Console.Error.WriteLine($"Anytun.HelpGen: docs directory '{docsDir}' does not exist");
    return 2;
}

try
{
    var commands = new List<CommandHelp>();
    var pages = new List<(string File, CommandHelp Command)>();
    var aboutTopics = new List<(string Name, string Text)>();
    foreach (string path in Directory.GetFiles(docsDir, "*.md").Order(StringComparer.Ordinal))
    {
        var document = MarkdownDocument.Load(path);
        string name = Path.GetFileNameWithoutExtension(path);
        if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
        {
            aboutTopics.Add((name, AboutTopicConverter.Convert(document)));
        }
        else
        {
            var command = CommandHelpParser.Parse(document);
            commands.Add(command);
            pages.Add((path, command));
        }
    }

    SharedParameterCheck.Check(pages);

    if (commands.Count == 0)
    {
        Console.Error.WriteLine($"Anytun.HelpGen: no cmdlet pages (*.md) in '{docsDir}'");
        return 1;
    }

    // Write only after every page parsed, so a failed run never leaves half-updated help behind.
    Directory.CreateDirectory(outDir);
    MamlWriter.Write(Path.Combine(outDir, MamlFileName), commands);
    foreach (var (name, text) in aboutTopics)
    {
        File.WriteAllText(Path.Combine(outDir, name + ".help.txt"), text);
    }

    Console.WriteLine($"Anytun.HelpGen: {commands.Count} cmdlet(s) -> {MamlFileName}, {aboutTopics.Count} about topic(s) in {outDir}");
    return 0;
}
catch (HelpGenException error)
{
    Console.Error.WriteLine("Anytun.HelpGen: error: " + error.Message);
    return 1;
}
