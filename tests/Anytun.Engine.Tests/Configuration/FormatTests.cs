using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Tests.Configuration;

public sealed class FormatTests
{
    private const string Passphrase = "Top Secret 'pass' phrase";
    private const string Key = "00112233445566778899aabbccddeeff";
    private const string SaltHex = "ffeeddccbbaa99887766554433";

    [Fact]
    public void DefaultsFormatToProgramAndRole()
    {
        using var options = new TunnelOptions();
        Assert.Equal("anytun -e left", AnytunCommandLine.Format(options));
    }

    [Fact]
    public void SecretsAreRedactedInFormatAndToString()
    {
        using var options = AnytunCommandLine.Parse(new[] { "anytun", "-E", Passphrase, "-K", Key, "-A", SaltHex + "22" });
        var formatted = AnytunCommandLine.Format(options);
        var text = options.ToString();

        foreach (var output in new[] { formatted, text })
        {
            Assert.DoesNotContain("Secret", output, StringComparison.Ordinal);
            Assert.DoesNotContain(Key, output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(SaltHex, output, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("-E '***' -K '***' -A '***'", output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Key, options.Key!.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("<redacted 16 bytes>", options.Key.ToString());
    }

    [Fact]
    public void SecretsAreShownOnlyWhenAsked()
    {
        using var options = AnytunCommandLine.Parse(new[] { "anytun", "-E", Passphrase, "-K", Key.ToUpperInvariant() });
        var formatted = AnytunCommandLine.Format(options, redactSecrets: false);
        Assert.Contains("-E 'Top Secret '\\''pass'\\'' phrase'", formatted, StringComparison.Ordinal);
        Assert.Contains("-K " + Key, formatted, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryOptionRoundTrips()
    {
        const string line = "anytun -D -u nobody -g nogroup -C /var/empty -P /run/a.pid -L stdout:5 -L 'file:3,/tmp/my log.txt' "
            + "-L syslog:2,anytun,local3 -U -i fd20::1 -p 5000 -s 4660 -r peer.example -o 5001 -6 -I 10.0.0.1 -S 2323 "
            + "-M a.example:2323 -M b.example -X ctl.example:4445 -d tap-x -t tap -n 192.168.9.1/30 -x '/etc/anytun/up script.sh' "
            + "-R 10.0.0.0/8 -R fd00::/8 -m 7 -w 64 -k aes-ctr-256 -e right "
            + "-E 'pass phrase' -K 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f -A 0123456789abcdef0123456789ab "
            + "-c aes-ctr-192 -a null -b 4";
        using var options = AnytunCommandLine.ParseCommandLine(line);

        var formatted = AnytunCommandLine.Format(options, redactSecrets: false);
        using var again = AnytunCommandLine.ParseCommandLine(formatted);

        Assert.Equal(line, formatted);
        Assert.Equal(formatted, AnytunCommandLine.Format(again, redactSecrets: false));
        Assert.True(again.Passphrase!.ContentEquals(options.Passphrase));
        Assert.True(again.Key!.ContentEquals(options.Key));
        Assert.True(again.Salt!.ContentEquals(options.Salt));
        Assert.Equal(AddressFamilyPreference.IPv6Only, again.AddressFamily);
        Assert.Equal(new[] { "a.example:2323", "b.example" }, again.SyncHosts);
        Assert.Equal("/tmp/my log.txt", again.LogTargets[1].Parameters[0]);
    }

    [Fact]
    public void FormatArgumentsGivesArgv()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -x '/a b/up.sh' -c null -a null");
        Assert.Equal(new[] { "anytun", "-x", "/a b/up.sh", "-e", "left", "-c", "null", "-a", "null" }, AnytunCommandLine.FormatArguments(options));
    }

    [Fact]
    public void LaterOccurrenceWinsAndEarlierSecretIsZeroed()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -m 1 -m 2 -c aes-ctr-256 -c null -L stdout:1 -L stderr:2");
        Assert.Equal((ushort)2, options.Mux);
        Assert.Equal(CipherAlgorithm.Null, options.Cipher);
        Assert.Equal(2, options.LogTargets.Count);

        using var keys = AnytunCommandLine.ParseCommandLine("anytun -K 0101 -K 0202");
        Assert.Equal(new byte[] { 2, 2 }, keys.Key!.Span.ToArray());
    }

    [Fact]
    public void AesCtrWithoutSizeIs128()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -c aes-ctr -k aes-ctr");
        Assert.Equal(CipherAlgorithm.AesCtr128, options.Cipher);
        Assert.Equal(KeyDerivationPrf.AesCtr128, options.KdPrf);
    }

    [Theory]
    [InlineData("left", Role.Left)]
    [InlineData("alice", Role.Left)]
    [InlineData("server", Role.Left)]
    [InlineData("right", Role.Right)]
    [InlineData("bob", Role.Right)]
    [InlineData("client", Role.Right)]
    public void RoleSynonyms(string name, Role role)
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun --role " + name);
        Assert.Equal(role, options.Role);
    }

    [Fact]
    public void LongFormsMatchShortForms()
    {
        const string longForm = "anytun --nodaemonize --username u --groupname g --chroot /c --write-pid /p --log stdout:5 --debug "
            + "--interface 10.0.0.1 --port 1 --sender-id 2 --remote-host h --remote-port 3 --ipv4-only --sync-interface 10.0.0.2 "
            + "--sync-port 4 --sync-hosts s --control-host x --dev tun9 --type tun --ifconfig 10.1.0.1/24 --post-up-script /up "
            + "--route 10.2.0.0/16 --mux 5 --window-size 6 --kd-prf aes-ctr-192 --role bob --passphrase p --key 00 --salt 11 "
            + "--cipher null --auth-algo null --auth-tag-length 7";
        const string shortForm = "anytun -D -u u -g g -C /c -P /p -L stdout:5 -U -i 10.0.0.1 -p 1 -s 2 -r h -o 3 -4 -I 10.0.0.2 "
            + "-S 4 -M s -X x -d tun9 -t tun -n 10.1.0.1/24 -x /up -R 10.2.0.0/16 -m 5 -w 6 -k aes-ctr-192 -e bob -E p -K 00 -A 11 "
            + "-c null -a null -b 7";
        using var a = AnytunCommandLine.ParseCommandLine(longForm);
        using var b = AnytunCommandLine.ParseCommandLine(shortForm);
        Assert.Equal(AnytunCommandLine.Format(b, redactSecrets: false), AnytunCommandLine.Format(a, redactSecrets: false));
    }

    [Fact]
    public void CloneIsDeepAndOwnsItsSecrets()
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " -R 10.0.0.0/8 -L stdout:3");
        using var copy = options.Clone();
        Assert.Equal(AnytunCommandLine.Format(options, false), AnytunCommandLine.Format(copy, false));

        copy.Routes.Add(Anytun.Engine.Routing.IPPrefix.Parse("10.1.0.0/16"));
        copy.Mux = 9;
        Assert.Single(options.Routes);
        Assert.Equal((ushort)0, options.Mux);

        Assert.NotSame(options.Key, copy.Key);
        options.Key!.Dispose();
        Assert.Equal(Convert.FromHexString(OptionAssert.Key128), copy.Key!.Span.ToArray());
    }

    [Fact]
    public void DisposeZeroesOwnedSecrets()
    {
        var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " -E pass");
        var key = options.Key!;
        var buffer = key.BufferForTests;
        options.Dispose();
        Assert.Null(options.Key);
        Assert.True(key.IsDisposed);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }
}
