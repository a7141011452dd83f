using System.Text;

namespace Anytun.HelpGen.About;

/// <summary>Word-wraps prose for about_*.help.txt, which Get-Help prints as-is (80 columns, as the PowerShell docs do).</summary>
public static class TextWrapper
{
    public const int Width = 80;

    public static void Append(StringBuilder output, string text, int indent, int hangingIndent)
    {
        output.Append(' ', indent);
        int column = indent;
        bool lineHasWord = false;
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lineHasWord && column + 1 + word.Length > Width)
            {
                output.Append('\n');
                output.Append(' ', hangingIndent);
                column = hangingIndent;
                lineHasWord = false;
            }

            if (lineHasWord)
            {
                output.Append(' ');
                column++;
            }

            output.Append(word);
            column += word.Length;
            lineHasWord = true;
        }

        output.Append('\n');
    }
}
