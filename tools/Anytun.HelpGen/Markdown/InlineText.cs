using System.Text;

namespace Anytun.HelpGen.Markdown;

/// <summary>Turns inline markdown into the plain text Get-Help prints: emphasis dropped, links as "text (url)".</summary>
public static class InlineText
{
    public static string ToPlain(MarkdownBlock paragraph) => ToPlain(string.Join(' ', paragraph.Lines));

    public static string ToPlain(string markdown)
    {
        var result = new StringBuilder(markdown.Length);
        for (int i = 0; i < markdown.Length; i++)
        {
            char c = markdown[i];
            if (c == '\\' && i + 1 < markdown.Length && IsEscapable(markdown[i + 1]))
            {
                result.Append(markdown[++i]);
            }
            else if (c == '`')
            {
                int end = markdown.IndexOf('`', i + 1);
                if (end < 0)
                {
                    result.Append(c);
                    continue;
                }

                // Code spans keep their content verbatim (no emphasis stripping inside).
                result.Append(markdown, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '[' && TryReadLink(markdown, i, out string text, out string url, out int next))
            {
                result.Append(text);
                if (url.Length > 0 && !string.Equals(url, text, StringComparison.Ordinal))
                {
                    result.Append(" (").Append(url).Append(')');
                }

                i = next - 1;
            }
            else if ((c == '*' || c == '_') && TryReadEmphasis(markdown, i, out string inner, out int after))
            {
                result.Append(ToPlain(inner));
                i = after - 1;
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    /// <summary>Reads <c>[text](url)</c>; returns false for anything else so brackets in prose survive.</summary>
    public static bool TryReadLink(string markdown, int open, out string text, out string url, out int next)
    {
        text = url = string.Empty;
        next = open;
        int close = markdown.IndexOf("](", open, StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }

        int end = markdown.IndexOf(')', close + 2);
        if (end < 0 || markdown.IndexOf('[', open + 1, close - open - 1) >= 0)
        {
            return false;
        }

        text = markdown[(open + 1)..close];
        url = markdown[(close + 2)..end].Trim();
        next = end + 1;
        return true;
    }

    private static bool IsEscapable(char c) => c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '#' or '|';

    // Emphasis is a marker run that opens before a word and closes after one (`**bold**`, `_x_`); a lone `*`
    // (wildcards such as lab*) or snake_case stays literal.
    private static bool TryReadEmphasis(string s, int open, out string inner, out int after)
    {
        inner = string.Empty;
        after = open;
        char marker = s[open];
        int width = open + 1 < s.Length && s[open + 1] == marker ? 2 : 1;
        int contentStart = open + width;
        bool opensWord = contentStart < s.Length && !char.IsWhiteSpace(s[contentStart]) &&
            (open == 0 || !char.IsLetterOrDigit(s[open - 1]));
        if (!opensWord)
        {
            return false;
        }

        string closing = new(marker, width);
        for (int close = s.IndexOf(closing, contentStart, StringComparison.Ordinal); close > contentStart;
             close = s.IndexOf(closing, close + 1, StringComparison.Ordinal))
        {
            int end = close + width;
            if (!char.IsWhiteSpace(s[close - 1]) && (end >= s.Length || !char.IsLetterOrDigit(s[end])))
            {
                inner = s[contentStart..close];
                after = end;
                return true;
            }
        }

        return false;
    }
}
