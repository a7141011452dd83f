using Anytun.Engine.Configuration;

namespace Anytun.Engine.Tests.Configuration;

/// <summary>The EXAMPLES section of anytun(8), as printed (with its backslash line continuations).</summary>
public sealed class ManPageExampleTests
{
    public static TheoryData<string> P2PExamples => new()
    {
        "anytun -r hostb.example.com -t tun -n 192.168.123.1/30 -c aes-ctr-256 -k aes-ctr-256 \\\n -E have_a_very_safe_and_productive_day -e left",
        "anytun -r hosta.example.com -t tun -n 192.168.123.2/30 -c aes-ctr-256 -k aes-ctr-256 \\\n -E have_a_very_safe_and_productive_day -e right",
    };

    [Theory]
    [MemberData(nameof(P2PExamples))]
    public void P2PSetupParsesValidatesAndIsSupported(string line)
    {
        using var options = AnytunCommandLine.ParseCommandLine(line);

        Assert.Equal(CipherAlgorithm.AesCtr256, options.Cipher);
        Assert.Equal(KeyDerivationPrf.AesCtr256, options.KdPrf);
        Assert.Equal(DeviceType.Tun, options.DeviceType);
        Assert.Equal(30, options.IfConfig!.PrefixLength);
        Assert.Empty(options.Validate());
        options.EnsureSupported();
        using var material = options.GetMasterKeyAndSalt();
        Assert.Equal(32, material.Key.Length);
        Assert.Equal(14, material.Salt.Length);
    }

    [Fact]
    public void UnicastEndpointOfAnycastSetup()
    {
        using var options = AnytunCommandLine.ParseCommandLine(
            "anytun -r anycast.anytun.org -d anytun0 -t tun -n 192.0.2.2/30 -a null -c null -w 0 -e client");

        Assert.Equal("anycast.anytun.org", options.RemoteHost);
        Assert.Equal("anytun0", options.DeviceName);
        Assert.Equal(Role.Right, options.Role);
        Assert.Equal(KeyDerivationPrf.Null, options.EffectiveKdPrf);
        Assert.Empty(options.Validate());
        options.EnsureSupported();
    }

    [Theory]
    [InlineData("unicast2.anycast.anytun.org:2342,unicast3.anycast.anytun.org:2342")]
    [InlineData("unicast1.anycast.anytun.org:2342,unicast3.anycast.anytun.org:2342")]
    [InlineData("unicast1.anycast.anytun.org:2342,unicast2.anycast.anytun.org:2342")]
    public void AnycastEndpointsParseButSyncIsNotSupportedYet(string syncHosts)
    {
        using var options = AnytunCommandLine.ParseCommandLine(
            "anytun -i anycast.anytun.org -d anytun0 -t tun -n 192.0.2.1/30 -a null -c null -w 0 -e server \\\n         -S 2342 -M " + syncHosts);

        Assert.Equal(2342, options.SyncPort);
        Assert.Equal(syncHosts.Split(','), options.SyncHosts);
        Assert.Equal(Role.Left, options.Role);
        Assert.Empty(options.Validate());
        var ex = Assert.Throws<AnytunException>(() => options.EnsureSupported());
        Assert.Equal(AnytunErrorCode.NotSupportedYet, ex.Code);
        Assert.Equal(OptionNames.SyncPort, ex.Target);
    }
}
