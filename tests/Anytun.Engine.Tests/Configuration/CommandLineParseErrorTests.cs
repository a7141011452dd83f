using Anytun.Engine.Configuration;

namespace Anytun.Engine.Tests.Configuration;

public sealed class CommandLineParseErrorTests
{
    [Fact]
    public void UnknownOptionNamesTokenAndPosition()
    {
        OptionAssert.ParseFails("anytun -D --bogus 3", "--bogus", "Unknown option '--bogus'", "argument 3");
    }

    [Fact]
    public void UanytunOnlyRailModeIsUnknown()
    {
        OptionAssert.ParseFails("uanytun -Y", "-Y", "argument 2");
    }

    [Fact]
    public void StrayPositionalArgumentIsAnError()
    {
        OptionAssert.ParseFails("anytun -D foo", "foo", "Unexpected argument 'foo'", "argument 3");
    }

    [Theory]
    [InlineData("-p", OptionNames.Port)]
    [InlineData("--remote-host", OptionNames.RemoteHost)]
    [InlineData("-K", OptionNames.Key)]
    [InlineData("-n", OptionNames.IfConfig)]
    [InlineData("-L", OptionNames.Log)]
    public void MissingValue(string option, string target)
    {
        OptionAssert.ParseFails("anytun -D " + option, target, "needs a value", "argument 3");
    }

    [Fact]
    public void ValueStartingWithDashIsRejectedLikeAnytun()
    {
        OptionAssert.ParseFails("anytun -r -D", OptionNames.RemoteHost, "'-D'", "argument 3", "starts with '-'");
    }

    [Fact]
    public void SecretValueStartingWithDashIsNotEchoed()
    {
        var ex = OptionAssert.ParseFails("anytun -E -secretpass", OptionNames.Passphrase, "argument 3");
        Assert.DoesNotContain("secretpass", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-h", OptionNames.Help)]
    [InlineData("--help", OptionNames.Help)]
    [InlineData("-v", OptionNames.Version)]
    [InlineData("--version", OptionNames.Version)]
    public void HelpAndVersionAreNotMeaningful(string token, string target)
    {
        OptionAssert.ParseFails("anytun " + token, target, "not meaningful here");
    }

    [Theory]
    [InlineData("-p 44x4", OptionNames.Port)]
    [InlineData("-p 65536", OptionNames.Port)]
    [InlineData("-o 0", OptionNames.RemotePort)]
    [InlineData("-o 99999", OptionNames.RemotePort)]
    [InlineData("-s 65536", OptionNames.SenderId)]
    [InlineData("-s 1.5", OptionNames.SenderId)]
    [InlineData("-m abc", OptionNames.Mux)]
    [InlineData("-w 4294967296", OptionNames.WindowSize)]
    [InlineData("-w +3", OptionNames.WindowSize)]
    [InlineData("-b x", OptionNames.AuthTagLength)]
    [InlineData("-S 0", OptionNames.SyncPort)]
    public void NumbersAreStrict(string option, string target)
    {
        OptionAssert.ParseFails(OptionAssert.Base + " " + option, target, "whole number");
    }

    [Fact]
    public void NegativeTagLengthIsRejected()
    {
        // anytun itself refuses a value starting with '-', so a negative -b can only come from code.
        OptionAssert.ParseFails(OptionAssert.Base + " -b -1", OptionNames.AuthTagLength, "starts with '-'");
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base);
        options.AuthTagLength = -1;
        var ex = Assert.Throws<AnytunException>(() => options.Validate());
        OptionAssert.Check(ex, AnytunErrorCode.InvalidOption, OptionNames.AuthTagLength, "-1", "negative");
    }

    [Theory]
    [InlineData("-c aes-cbc", OptionNames.Cipher, "'aes-cbc'")]
    [InlineData("-c AES-CTR", OptionNames.Cipher, "'AES-CTR'")]
    [InlineData("-a md5", OptionNames.AuthAlgo, "'md5'")]
    [InlineData("-k aes-ctr-512", OptionNames.KdPrf, "'aes-ctr-512'")]
    [InlineData("-e middle", OptionNames.Role, "'middle'")]
    [InlineData("-t tan", OptionNames.Type, "'tan'")]
    public void UnknownNames(string option, string target, string shown)
    {
        OptionAssert.ParseFails(OptionAssert.Base + " " + option, target, shown, "unknown");
    }

    [Fact]
    public void Ipv4AndIpv6OnlyTogether()
    {
        OptionAssert.ParseFails(OptionAssert.Base + " -4 -6", OptionNames.IPv4Only, OptionNames.IPv6Only, "mutually exclusive");
    }

    [Theory]
    [InlineData("192.168.200.1", "missing '/")]
    [InlineData("fd21::1/64", "only IPv4")]
    [InlineData("192.168.200.1/33", "0 to 32")]
    [InlineData("192.168.200.1/x", "0 to 32")]
    [InlineData("192.168.200/24", "dotted-quad")]
    [InlineData("host.example/24", "not an IP address")]
    public void BadIfConfig(string value, string expected)
    {
        OptionAssert.ParseFails("anytun -n " + value, OptionNames.IfConfig, value, expected, "argument 3");
    }

    [Theory]
    [InlineData("stdout", "missing ':")]
    [InlineData("stdout:x", "log level")]
    [InlineData("console:3", "unknown log target")]
    [InlineData("syslog:3,anytun,kernel", "facility")]
    [InlineData("stdout:3,extra", "at most 0")]
    public void BadLogTarget(string value, string expected)
    {
        OptionAssert.ParseFails("anytun -L " + value, OptionNames.Log, expected);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcde", "31 hex digits", "odd")]
    [InlineData("0123456789abcdef0123456789abz11z", "character 29", "not a hex digit")]
    [InlineData("0x0123456789abcdef0123456789abcd", "character 2", "not a hex digit")]
    public void BadHexKeyNamesOptionButNotDigits(string hex, string expected1, string expected2)
    {
        var ex = OptionAssert.ParseFails("anytun -K " + hex, OptionNames.Key, expected1, expected2, "argument 3");
        Assert.DoesNotContain(hex, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void BadHexSaltNamesSalt()
    {
        OptionAssert.ParseFails("anytun -A 0123456789abcdef0123456789a", OptionNames.Salt, "odd");
    }

    [Fact]
    public void EmptyArgumentListGivesDefaults()
    {
        using var options = AnytunCommandLine.Parse(Array.Empty<string>());
        Assert.Equal(4444, options.LocalPort);
        Assert.Equal(DeviceType.Tun, options.EffectiveDeviceType);
    }
}
