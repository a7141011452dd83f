namespace Anytun.HelpGen;

/// <summary>A documentation error that must stop the build; the message names the file and the section.</summary>
public sealed class HelpGenException : Exception
{
    public HelpGenException(string file, string section, int line, string problem)
        : base($"{file}:{line}: [{section}] {problem}")
    {
        File = file;
        Section = section;
        Line = line;
    }

    public string File { get; }

    public string Section { get; }

    public int Line { get; }
}
