using Anytun.Engine.Configuration;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Tests.Configuration;

/// <summary>Unknown options and bad values of anytun-config / anytun-controld are InvalidOption errors naming the option.</summary>
public sealed class AnytunConfigParseErrorTests
{
    [Theory]
    [InlineData("-x", "-x", "Unknown option '-x' (argument 1)")]
    [InlineData("-m 1 --sender-id 3", "--sender-id", "Unknown option '--sender-id' (argument 3)")]
    [InlineData("-c aes-ctr", "-c", "Unknown option '-c'")]
    [InlineData("stray", "stray", "anytun-config takes only options")]
    [InlineData("-m", OptionNames.Mux, "needs a value")]
    [InlineData("-m -1", OptionNames.Mux, "anytun-config does not accept option values that start with '-'")]
    [InlineData("-m 65536", OptionNames.Mux, "from 0 to 65535")]
    [InlineData("-m 12x", OptionNames.Mux, "'12x' (argument 2)")]
    [InlineData("-w 70000", OptionNames.WindowSize, "from 0 to 65535")]
    [InlineData("-o 70000", OptionNames.RemotePort, "from 0 to 65535")]
    [InlineData("-k bogus", OptionNames.KdPrf, "is unknown; use one of: aes-ctr")]
    [InlineData("-e foo", OptionNames.Role, "is unknown; use one of: left")]
    [InlineData("-4 -6", OptionNames.IPv4Only, "mutually exclusive")]
    [InlineData("-R 10.0.0.0", OptionNames.Route, "missing '/<prefix length>'")]
    [InlineData("-R 10.0.0.300/8", OptionNames.Route, "'10.0.0.300' is not an IPv4 or IPv6 address")]
    [InlineData("-R 10.0.0.0/8,", OptionNames.Route, "'' is missing")]
    [InlineData("-R 10.1.2.3/33", OptionNames.Route, "from 0 to 32")]
    [InlineData("-R 10.0.0.0/x", OptionNames.Route, "from 0 to 32")]
    [InlineData("-R fe80::1%lo/64", OptionNames.Route, "is not an IPv4 or IPv6 address")]
    [InlineData("-K 0011", OptionNames.Key, "needs 32 hex digits (16 bytes)")]
    [InlineData("-K 00112233445566778899aabbccddeefg", OptionNames.Key, "is not a hex digit")]
    [InlineData("-A 00", OptionNames.Salt, "must be 28 hex digits (14 bytes)")]
    [InlineData("-E ''", OptionNames.Passphrase, "is empty")]
    [InlineData("-L bogus:1", OptionNames.Log, "unknown log target")]
    [InlineData("-h", OptionNames.Help, "only prints text")]
    [InlineData("-v", OptionNames.Version, "only prints text")]
    public void RejectsBadArguments(string commandLine, string target, string message)
    {
        var ex = Assert.Throws<AnytunException>(() => AnytunConfigCommandLine.ParseCommandLine(commandLine));
        Assert.Equal(AnytunErrorCode.InvalidOption, ex.Code);
        Assert.Equal(target, ex.Target);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALiteralOfTheWrongFamilyIsRefusedInsteadOfRetriedForever()
    {
        using var definition = AnytunConfigCommandLine.ParseCommandLine("-4 -r ::1");
        var ex = await Assert.ThrowsAsync<AnytunException>(() => definition.CreateCommandsAsync(AnytunConfigVectorTests.NoDns));
        Assert.Equal(OptionNames.RemoteHost, ex.Target);
    }

    [Fact]
    public void SecretsNeverAppearInErrors()
    {
        var ex = Assert.Throws<AnytunException>(() => AnytunConfigCommandLine.ParseCommandLine("-K 00112233445566778899aabbccddeeffzz"));
        Assert.DoesNotContain("0011", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<AnytunException>(() => AnytunConfigCommandLine.ParseCommandLine("-E -secretvalue"));
        Assert.DoesNotContain("secretvalue", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptsAProgramNameAndRepeatedOptions()
    {
        using var definition = AnytunConfigCommandLine.ParseCommandLine("/usr/bin/anytun-config -m 1 -m 2 -R 10.0.0.0/8 -R 10.1.0.0/16,10.2.0.0/16 -L stderr:2 -U -e bob -e alice");
        Assert.Equal(2, definition.Mux);
        Assert.Equal(Role.Left, definition.Role);
        Assert.Equal(3, definition.Routes.Count);
    }

    [Fact]
    public void ParsesControldOptions()
    {
        var options = AnytunControldCommandLine.ParseCommandLine("anytun-controld -D -L stdout:3 -u anytun -g anytun -C /var/empty -P /run/c.pid -f /run/anytun-controld/server -X [::1]:4444");
        Assert.Equal("/run/anytun-controld/server", options.FilePath);
        Assert.Equal(("::1", 4444), (options.Listen.Host, options.Listen.Port));
        Assert.True(options.NoDaemonize);
        Assert.Equal(new[] { OptionNames.Username, OptionNames.Groupname, OptionNames.Chroot, OptionNames.PidFile }, options.ProcessOptions);
        Assert.Equal(LogTargetKind.Stdout, Assert.Single(options.LogTargets).Kind);

        var defaults = AnytunControldCommandLine.Parse(Array.Empty<string>());
        Assert.Equal("127.0.0.1:2323", defaults.Listen.ToString());
        Assert.Null(defaults.FilePath);
        Assert.Empty(defaults.ProcessOptions);
        Assert.True(AnytunControldCommandLine.ParseCommandLine("-U").NoDaemonize);
        Assert.True(AnytunControldCommandLine.ParseCommandLine("-X :2424").Listen.IsAnyAddress);
    }

    [Theory]
    [InlineData("-X", OptionNames.ControlHost, "needs a value")]
    [InlineData("-X [::1]:", OptionNames.ControlHost, "after ']' only ':<port>' may follow")]
    [InlineData("-X [::1]x", OptionNames.ControlHost, "after ']'")]
    [InlineData("-X x[::1]", OptionNames.ControlHost, "may only start")]
    [InlineData("-X [::1", OptionNames.ControlHost, "not closed")]
    [InlineData("-X host:", OptionNames.ControlHost, "port after ':' is missing")]
    [InlineData("-X 1.2.3.4:99999", OptionNames.ControlHost, "'99999' is not a number from 1 to 65535")]
    [InlineData("-X [10.0.0.1]:80", OptionNames.ControlHost, "not an IPv6 address")]
    [InlineData("-r x", "-r", "Unknown option '-r'")]
    [InlineData("-f", OptionNames.File, "needs a value")]
    public void RejectsBadControldArguments(string commandLine, string target, string message)
    {
        var ex = Assert.Throws<AnytunException>(() => AnytunControldCommandLine.ParseCommandLine(commandLine));
        Assert.Equal(AnytunErrorCode.InvalidOption, ex.Code);
        Assert.Equal(target, ex.Target);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[::1]:2424", "::1", 2424, "[::1]:2424")]
    [InlineData("[::1]", "::1", 2323, "[::1]:2323")]
    [InlineData("::1", "::1", 2323, "[::1]:2323")]
    [InlineData("fd00::1:5", "fd00::1:5", 2323, "[fd00::1:5]:2323")]
    [InlineData("10.99.2.2:2323", "10.99.2.2", 2323, "10.99.2.2:2323")]
    [InlineData("sync.example", "sync.example", 2323, "sync.example:2323")]
    [InlineData(":2424", "", 2424, ":2424")]
    public void ParsesPeerAddressesAsAnytun(string text, string host, int port, string formatted)
    {
        var peer = SyncPeerAddress.Parse(text, OptionNames.SyncHosts, allowAnyAddress: true);
        Assert.Equal((host, port), (peer.Host, peer.Port));
        Assert.Equal(formatted, peer.ToString());
        Assert.Equal(peer, SyncPeerAddress.Parse(peer.ToString(), OptionNames.SyncHosts, allowAnyAddress: true));
    }

    [Fact]
    public void APeerNeedsAHostUnlessItIsAListenAddress()
    {
        var ex = Assert.Throws<AnytunException>(() => SyncPeerAddress.Parse(":2424", OptionNames.SyncHosts));
        Assert.Equal(OptionNames.SyncHosts, ex.Target);
        Assert.Contains("the host is missing", ex.Message, StringComparison.Ordinal);
    }
}
