using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Configuration;

/// <summary>anytun-config's recorded outputs (vectors/controlplane/anytun-config) reproduced byte for byte.</summary>
public sealed class AnytunConfigVectorTests
{
    public static TheoryData<string, string> Sets => new()
    {
        { "set1-manpage-example.txt", "-w 0 -m 12 -K 0123456789ABCDEFFEDCBA9876543210 -A 0123456789ABCDDCBA9876543210 -R 192.0.2.0/24 -R 192.168.1.1/32 -e server" },
        { "set2-passphrase-ipv6-remote.txt", "-m 1 -e client -E Creating_VPN_Tunnels_With_Anytun_Is_Easy -r 198.51.100.7 -o 4444 -R 192.168.123.1/32 -R fec0::1/128 -w 64" },
        { "set3-aes256-default-role.txt", "-m 3 -k aes-ctr-256 -E pass -R 10.0.0.0/8" },
        { "set4-null-kd.txt", "-m 4 -k null -R 172.16.0.0/12" },
        { "set5-no-options.txt", string.Empty },
        { "set6-ipv6-remote.txt", "-m 7 -r ::1 -o 5555 -E x -e right" },
    };

    [Fact]
    public void EverySetIsCovered()
    {
        var recorded = Directory.GetFiles(Path.Combine(ControlPlaneVectors.Root, "anytun-config"), "set*.txt").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(recorded, ((IEnumerable<object[]>)Sets).Select(row => (string)row[0]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public async Task ReproducesTheRecordedOutput(string file, string commandLine)
    {
        var output = await AnytunConfigCommandLine.RunAsync(AnytunCommandLine.Tokenize(commandLine), NoDns);
        Assert.Equal(ControlPlaneVectors.Latin1Text($"anytun-config/{file}"), ReferenceProgram.Latin1(output));
    }

    [Fact]
    public void SetFiveWarnsAsAnytunConfigLogs()
    {
        using var definition = AnytunConfigCommandLine.Parse(Array.Empty<string>());
        var warning = Assert.Single(definition.Warnings);
        Assert.StartsWith(AnytunConnectionDefinition.KeyLengthsMismatch, warning, StringComparison.Ordinal);
        Assert.Contains(AnytunConnectionDefinition.KeyLengthsMismatch, ControlPlaneVectors.Text("anytun-config/set5.stderr"), StringComparison.Ordinal);
    }

    [Fact]
    public void DefinitionExposesWhatTheOptionsSay()
    {
        using var definition = AnytunConfigCommandLine.ParseCommandLine("anytun-config -m 1 -e client -E secret -r peer.example -o 5000 -6 -R 10.0.0.0/8,fd00::/8 -w 64 -k aes-ctr-192");
        Assert.Equal((1, "peer.example", 5000, AddressFamilyPreference.IPv6Only, 64u, KeyDerivationPrf.AesCtr192, Role.Right), (definition.Mux, definition.RemoteHost, definition.RemotePort, definition.AddressFamily, definition.WindowSize, definition.KdPrf, definition.Role));
        Assert.Equal(192, definition.KeyLengthBits);
        Assert.Equal(24, definition.MasterKey.Length);
        Assert.Equal(14, definition.MasterSalt.Length);
        Assert.Equal(new[] { "10.0.0.0/8", "fd00::/8" }, definition.Routes.Select(r => r.ToString()));
        Assert.DoesNotContain("secret", definition.ToString(), StringComparison.Ordinal);
        Assert.Empty(definition.Warnings);
    }

    [Fact]
    public async Task ResolvesNamesThroughTheInjectedResolver()
    {
        var asked = new List<(string, AddressFamilyPreference)>();
        Task<IPAddress> Resolver(string host, AddressFamilyPreference family, CancellationToken token)
        {
            asked.Add((host, family));
            return Task.FromResult(IPAddress.Parse("2001:db8::7"));
        }

        var output = await AnytunConfigCommandLine.RunAsync(new[] { "-r", "peer.example", "-6", "-m", "2" }, Resolver);
        Assert.Equal(new[] { ("peer.example", AddressFamilyPreference.IPv6Only) }, asked);
        Assert.EndsWith(" 11 2001:db8::7 4444\n", ReferenceProgram.Latin1(output), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-6", " 2 :: 4444\n")]
    [InlineData("-4", " 7 0.0.0.0 4444\n")]
    [InlineData("-r '' -o 0", " 7 0.0.0.0 0\n")]
    [InlineData("-r FE80:0::1 -o 1", " 7 fe80::1 1\n")]
    public async Task WritesTheWildcardAndCanonicalAddressesAsAnytunConfig(string commandLine, string ending)
    {
        var output = await AnytunConfigCommandLine.RunAsync(AnytunCommandLine.Tokenize(commandLine), NoDns);
        Assert.EndsWith(ending, ReferenceProgram.Latin1(output), StringComparison.Ordinal);
    }

    [Fact]
    public void WarnsAboutPrefixesThatHangRealAnytun()
    {
        using var definition = AnytunConfigCommandLine.Parse(new[] { "-E", "x", "-R", "10.0.0.128/25,10.0.0.0/25" });
        var warning = Assert.Single(definition.Warnings);
        Assert.Contains("10.0.0.128/25", warning, StringComparison.Ordinal);
        Assert.Contains("loops forever", warning, StringComparison.Ordinal);
    }

    internal static Task<IPAddress> NoDns(string host, AddressFamilyPreference family, CancellationToken token) =>
        throw new InvalidOperationException($"the test must not resolve '{host}'");
}
