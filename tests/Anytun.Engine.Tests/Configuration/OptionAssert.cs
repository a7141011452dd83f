using Anytun.Engine.Configuration;

namespace Anytun.Engine.Tests.Configuration;

internal static class OptionAssert
{
    public const string Key128 = "0123456789abcdef0123456789abcdef";
    public const string Salt = "0123456789abcdef0123456789ab";

    /// <summary>A valid data-plane command line to which a test appends the option under test.</summary>
    public const string Base = "anytun -r 10.200.0.2 -d satp0 -t tun -n 192.168.200.1/24 -e left -K " + Key128 + " -A " + Salt;

    public static AnytunException ParseFails(string commandLine, string expectedTarget, params string[] messageParts)
    {
        var ex = Assert.Throws<AnytunException>(() => AnytunCommandLine.ParseCommandLine(commandLine));
        return Check(ex, AnytunErrorCode.InvalidOption, expectedTarget, messageParts);
    }

    public static AnytunException ValidateFails(string commandLine, string expectedTarget, params string[] messageParts)
    {
        using var options = AnytunCommandLine.ParseCommandLine(commandLine);
        var ex = Assert.Throws<AnytunException>(() => options.Validate());
        return Check(ex, AnytunErrorCode.InvalidOption, expectedTarget, messageParts);
    }

    public static AnytunException Check(AnytunException ex, AnytunErrorCode code, string expectedTarget, params string[] messageParts)
    {
        Assert.Equal(code, ex.Code);
        Assert.Equal(expectedTarget, ex.Target);
        Assert.Contains(expectedTarget, ex.Message, StringComparison.Ordinal);
        foreach (var part in messageParts)
        {
            Assert.Contains(part, ex.Message, StringComparison.Ordinal);
        }

        return ex;
    }
}
