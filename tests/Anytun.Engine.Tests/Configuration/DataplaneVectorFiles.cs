namespace Anytun.Engine.Tests.Configuration;

/// <summary>Finds the captured anytun/uanytun command lines under Vectors/dataplane.</summary>
internal static class DataplaneVectorFiles
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Vectors", "dataplane");

    public static TheoryData<string> CommandFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Root, "cmd_*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Root, file).Replace('\\', '/'));
        }

        return data;
    }

    /// <summary>The command line of a capture, without the <c>stdbuf -oL</c> wrapper the capture scripts used for uanytun.</summary>
    public static string ReadCommandLine(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(Root, relativePath)).Trim();
        const string wrapper = "stdbuf -oL ";
        return text.StartsWith(wrapper, StringComparison.Ordinal) ? text[wrapper.Length..] : text;
    }

    public static string ReadVectorMarkdown(string vector) => File.ReadAllText(Path.Combine(Root, vector, "vector.md"));
}
