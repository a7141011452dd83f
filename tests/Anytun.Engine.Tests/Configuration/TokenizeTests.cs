using Anytun.Engine.Configuration;

namespace Anytun.Engine.Tests.Configuration;

public sealed class TokenizeTests
{
    public static TheoryData<string, string[]> Cases => new()
    {
        { "", Array.Empty<string>() },
        { "   \t \n ", Array.Empty<string>() },
        { "anytun -D", new[] { "anytun", "-D" } },
        { "  a   b\tc\r\nd ", new[] { "a", "b", "c", "d" } },
        { "-E 'a very secret phrase'", new[] { "-E", "a very secret phrase" } },
        { "-E \"a very secret phrase\"", new[] { "-E", "a very secret phrase" } },
        { "-E it\\'s", new[] { "-E", "it's" } },
        { "-E 'it'\\''s'", new[] { "-E", "it's" } },
        { "-E \"say \\\"hi\\\" \\\\ \\$x \\`y\\` \\n\"", new[] { "-E", "say \"hi\" \\ $x `y` \\n" } },
        { "-E 'no \\escapes \"here\"'", new[] { "-E", "no \\escapes \"here\"" } },
        { "a\\ b", new[] { "a b" } },
        { "''", new[] { string.Empty } },
        { "-x \"\"", new[] { "-x", string.Empty } },
        { "ab'cd'\"ef\"gh", new[] { "abcdefgh" } },
        { "-r host \\\n -o 1", new[] { "-r", "host", "-o", "1" } },
        { "-r host \\\r\n -o 1", new[] { "-r", "host", "-o", "1" } },
        { "-r ho\\\nst", new[] { "-r", "host" } },
        { "\"line\\\ncontinued\"", new[] { "linecontinued" } },
        { "trailing\\", new[] { "trailing\\" } },
        { "$HOME *.txt ~", new[] { "$HOME", "*.txt", "~" } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SplitsLikeAPosixShell(string commandLine, string[] expected)
    {
        Assert.Equal(expected, AnytunCommandLine.Tokenize(commandLine));
    }

    [Theory]
    [InlineData("-E 'open", "'", 4)]
    [InlineData("-E \"open", "\"", 4)]
    [InlineData("-E \"open\\\"", "\"", 4)]
    public void UnterminatedQuoteIsAnError(string commandLine, string quote, int position)
    {
        var ex = Assert.Throws<AnytunException>(() => AnytunCommandLine.Tokenize(commandLine));
        Assert.Equal(AnytunErrorCode.InvalidOption, ex.Code);
        Assert.Contains($"Unterminated {quote} quote", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"character {position}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgramNameForms()
    {
        foreach (var program in new[] { "anytun", "uanytun", "/usr/sbin/anytun", "/usr/sbin/uanytun", "./anytun" })
        {
            using var options = AnytunCommandLine.ParseCommandLine(program + " -m 5");
            Assert.Equal((ushort)5, options.Mux);
        }

        using var noProgram = AnytunCommandLine.ParseCommandLine("-m 6");
        Assert.Equal((ushort)6, noProgram.Mux);
    }

    [Fact]
    public void ProgramNameOnlyAtTheStart()
    {
        OptionAssert.ParseFails("-D anytun", "anytun", "argument 2");
    }
}
