using System.Text;

namespace Anytun.Engine.Configuration;

/// <summary>
/// Splits a command line the way a POSIX shell would for the cases people paste: whitespace separates words,
/// '…' is literal, "…" honours \" \\ \$ \` and line continuation, an unquoted backslash escapes the next character,
/// backslash-newline joins lines. No expansion of variables, globs or comments.
/// </summary>
internal static class CommandLineTokenizer
{
    public const string Target = "CommandLine";

    public static IReadOnlyList<string> Tokenize(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inToken = false;
        var i = 0;
        while (i < commandLine.Length)
        {
            var c = commandLine[i];
            if (IsSeparator(c))
            {
                if (inToken)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }

                i++;
            }
            else if (c == '\'')
            {
                var end = commandLine.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw Unterminated('\'', i);
                }

                current.Append(commandLine, i + 1, end - i - 1);
                inToken = true;
                i = end + 1;
            }
            else if (c == '"')
            {
                i = ReadDoubleQuoted(commandLine, i, current);
                inToken = true;
            }
            else if (c == '\\')
            {
                var continuation = LineContinuationLength(commandLine, i + 1);
                if (continuation > 0)
                {
                    i += 1 + continuation;
                }
                else if (i + 1 < commandLine.Length)
                {
                    current.Append(commandLine[i + 1]);
                    inToken = true;
                    i += 2;
                }
                else
                {
                    current.Append('\\');
                    inToken = true;
                    i++;
                }
            }
            else
            {
                current.Append(c);
                inToken = true;
                i++;
            }
        }

        if (inToken)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    /// <summary>Reads "…" starting at the opening quote; returns the index after the closing quote.</summary>
    private static int ReadDoubleQuoted(string text, int open, StringBuilder current)
    {
        var i = open + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                return i + 1;
            }

            if (c == '\\' && i + 1 < text.Length)
            {
                var continuation = LineContinuationLength(text, i + 1);
                if (continuation > 0)
                {
                    i += 1 + continuation;
                    continue;
                }

                var next = text[i + 1];
                if (next is '"' or '\\' or '$' or '`')
                {
                    current.Append(next);
                    i += 2;
                    continue;
                }
            }

            current.Append(c);
            i++;
        }

        throw Unterminated('"', open);
    }

    private static int LineContinuationLength(string text, int index)
    {
        if (index < text.Length && text[index] == '\n')
        {
            return 1;
        }

        return index + 1 < text.Length && text[index] == '\r' && text[index + 1] == '\n' ? 2 : 0;
    }

    private static bool IsSeparator(char c) => c is ' ' or '\t' or '\n' or '\r';

    private static AnytunException Unterminated(char quote, int position) =>
        new(
            AnytunErrorCode.InvalidOption,
            $"Unterminated {quote} quote starting at character {position + 1} of the command line.",
            Target);
}
