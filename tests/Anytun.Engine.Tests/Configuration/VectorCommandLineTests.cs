using System.Net;
using Anytun.Engine.Configuration;

namespace Anytun.Engine.Tests.Configuration;

public sealed class VectorCommandLineTests
{
    public static TheoryData<string> CommandFiles => DataplaneVectorFiles.CommandFiles();

    /// <summary>Captures run with a key whose length does not fit the kd-prf (spec §12.3).</summary>
    private static readonly HashSet<string> WrongKeyLength = new(StringComparer.Ordinal)
    {
        "badkey-short-zero-keys/cmd_A.txt",
        "badkey-short-zero-keys/cmd_B.txt",
        "badkey-kd256-key128-uanytun/cmd_A.txt",
    };

    [Fact]
    public void EveryVectorDirectoryWithCommandsIsFound()
    {
        Assert.True(CommandFiles.Count >= 60, $"only {CommandFiles.Count} cmd files found under {DataplaneVectorFiles.Root}");
    }

    [Theory]
    [MemberData(nameof(CommandFiles))]
    public void ParsesEveryCapturedCommandLine(string file)
    {
        var commandLine = DataplaneVectorFiles.ReadCommandLine(file);

        if (commandLine.Contains("abz11z", StringComparison.Ordinal))
        {
            // Deliberately malformed hex (anytun reads it as zeros): we refuse it at parse time, naming -K.
            var ex = Assert.Throws<AnytunException>(() => AnytunCommandLine.ParseCommandLine(commandLine));
            Assert.Equal(AnytunErrorCode.InvalidOption, ex.Code);
            Assert.Equal(OptionNames.Key, ex.Target);
            Assert.Contains(OptionNames.Key, ex.Message, StringComparison.Ordinal);
            return;
        }

        using var options = AnytunCommandLine.ParseCommandLine(commandLine);
        Assert.True(options.NoDaemonize);
        var stdout = Assert.Single(options.LogTargets);
        Assert.Equal(LogTargetKind.Stdout, stdout.Kind);
        Assert.Equal(5, stdout.Level);
        Assert.Equal("satp0", options.DeviceName);
        Assert.NotNull(options.IfConfig);
        Assert.Equal(4444, options.LocalPort);

        if (WrongKeyLength.Contains(file))
        {
            // Wrong key length for the kd-prf: anytun runs with all-zero keys, we refuse.
            var ex = Assert.Throws<AnytunException>(() => options.Validate());
            Assert.Equal(AnytunErrorCode.InvalidOption, ex.Code);
            Assert.Equal(OptionNames.Key, ex.Target);
            return;
        }

        options.Validate();
        options.EnsureSupported();

        // Round trip through the formatter keeps every option.
        using var again = AnytunCommandLine.ParseCommandLine(AnytunCommandLine.Format(options, redactSecrets: false));
        Assert.Equal(AnytunCommandLine.Format(options, redactSecrets: false), AnytunCommandLine.Format(again, redactSecrets: false));
    }

    [Fact]
    public void DefaultVectorSideA()
    {
        using var options = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("default/cmd_A.txt"));

        Assert.Equal("10.200.0.1", options.LocalAddress);
        Assert.Equal("10.200.0.2", options.RemoteHost);
        Assert.Equal(4444, options.RemotePort);
        Assert.Equal(DeviceType.Tun, options.DeviceType);
        Assert.Equal(IPAddress.Parse("192.168.200.1"), options.IfConfig!.Address);
        Assert.Equal(24, options.IfConfig.PrefixLength);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), options.IfConfig.Netmask);
        Assert.Equal(Role.Left, options.Role);
        Assert.Equal(KeyDerivationPrf.AesCtr128, options.EffectiveKdPrf);
        Assert.Equal(CipherAlgorithm.AesCtr128, options.Cipher);
        Assert.Equal(AuthAlgorithm.Sha1, options.Auth);
        Assert.Equal(10, options.EffectiveTagLength);
        Assert.Equal(0u, options.WindowSize);
        Assert.Equal(Convert.FromHexString("0123456789abcdef0123456789abcdef"), options.Key!.Span.ToArray());
        Assert.Equal(Convert.FromHexString("0123456789abcdef0123456789ab"), options.Salt!.Span.ToArray());
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void MuxSenderVector()
    {
        using var a = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("mux-sender/cmd_A.txt"));
        using var b = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("mux-sender/cmd_B.txt"));

        Assert.Equal((ushort)7, a.Mux);
        Assert.Equal((ushort)0x1234, a.SenderId);
        Assert.Null(b.RemoteHost);
        Assert.Equal(Role.Right, b.Role);
    }

    [Fact]
    public void InteropPassphraseVectorUsesRoleSynonyms()
    {
        using var a = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("interop-uanytun-anytun-pass/cmd_A.txt"));
        using var b = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("interop-uanytun-anytun-pass/cmd_B.txt"));

        Assert.Equal(Role.Left, a.Role);
        Assert.Equal(Role.Right, b.Role);
        Assert.Equal((ushort)3, a.Mux);
        Assert.Equal((ushort)10, b.SenderId);
        Assert.NotNull(a.Passphrase);
        Assert.Null(a.Key);
    }

    [Fact]
    public void NullNullVectorForcesNullKeyDerivationWithoutKeys()
    {
        using var options = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("null-null/cmd_A.txt"));

        Assert.Equal(KeyDerivationPrf.AesCtr128, options.KdPrf);
        Assert.Equal(KeyDerivationPrf.Null, options.EffectiveKdPrf);
        Assert.Equal(0, options.EffectiveTagLength);
        Assert.Empty(options.Validate());
        using var material = options.GetMasterKeyAndSalt();
        Assert.Equal(0, material.Key.Length);
    }

    [Fact]
    public void NullKdWithSha1VectorWarnsLikeAnytun()
    {
        using var options = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("nullcipher-sha1-nullkd/cmd_A.txt"));

        var warning = Assert.Single(options.Validate());
        Assert.Equal("using NULL key derivation with encryption and or authentication enabled!", warning);
        Assert.Equal(10, options.EffectiveTagLength);
    }

    [Fact]
    public void Tag32VectorIsClampedWithAnytunsWarning()
    {
        using var options = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("tag32-clamped/cmd_A.txt"));

        Assert.Equal(32, options.AuthTagLength);
        Assert.Equal(20, options.EffectiveTagLength);
        var warning = Assert.Single(options.Validate());
        Assert.Equal("sha1 auth algo can't generate tags of length 32, using maximum tag length(20)", warning);
    }

    [Fact]
    public void Ipv6OuterVectorKeepsLiteralAddresses()
    {
        using var options = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("ipv6-outer/cmd_A.txt"));

        Assert.Equal("fd20::1", options.LocalAddress);
        Assert.Equal("fd20::2", options.RemoteHost);
        Assert.Equal(AddressFamilyPreference.Any, options.AddressFamily);
    }

    [Fact]
    public void TapVectorSetsTapType()
    {
        using var options = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine("tap/cmd_A.txt"));

        Assert.Equal(DeviceType.Tap, options.EffectiveDeviceType);
    }
}
