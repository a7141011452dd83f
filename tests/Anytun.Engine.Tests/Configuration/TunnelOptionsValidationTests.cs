using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Tests.Configuration;

public sealed class TunnelOptionsValidationTests
{
    private const string NoKeys = "anytun -r 10.200.0.2 -d satp0 -t tun -n 192.168.200.1/24";

    [Fact]
    public void BaseLineIsValidWithoutWarnings()
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base);
        Assert.Empty(options.Validate());
        options.EnsureSupported();
    }

    [Fact]
    public void ShortKeyIsDescribedByLengthOnly()
    {
        const string key = "0123456789abcdef0123456789abcd";
        var ex = OptionAssert.ValidateFails(
            NoKeys + " -K " + key + " -A " + OptionAssert.Salt,
            OptionNames.Key,
            "30 hex digits (15 bytes)",
            "aes-ctr-128 needs 32 hex digits (16 bytes)");
        Assert.DoesNotContain(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneByteIsSingular()
    {
        OptionAssert.ValidateFails(NoKeys + " -K 00 -A " + OptionAssert.Salt, OptionNames.Key, "2 hex digits (1 byte);");
    }

    [Fact]
    public void TheNoKeyMessageNamesOptionsTheWayTheyAreMappedToParameters()
    {
        // Every option in the text is an OptionNames value, so the PowerShell layer can name its parameters instead.
        OptionAssert.ValidateFails(
            NoKeys,
            OptionNames.Key,
            $"give {OptionNames.Passphrase}, or {OptionNames.Key}",
            $"or use {OptionNames.Cipher} null {OptionNames.AuthAlgo} null");
    }

    [Theory]
    [InlineData("aes-ctr-192", "48 hex digits (24 bytes)")]
    [InlineData("aes-ctr-256", "64 hex digits (32 bytes)")]
    public void KeyMustMatchKdPrfNotCipher(string prf, string needs)
    {
        OptionAssert.ValidateFails(
            NoKeys + " -k " + prf + " -c aes-ctr-128 -K " + OptionAssert.Key128 + " -A " + OptionAssert.Salt,
            OptionNames.Key,
            "32 hex digits (16 bytes)",
            prf + " needs " + needs);
    }

    [Fact]
    public void Kd128WithCipher256IsValid()
    {
        using var options = AnytunCommandLine.ParseCommandLine(
            NoKeys + " -k aes-ctr-128 -c aes-ctr-256 -K " + OptionAssert.Key128 + " -A " + OptionAssert.Salt);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789", "26 hex digits (13 bytes)")]
    [InlineData("0123456789abcdef0123456789abcd", "30 hex digits (15 bytes)")]
    public void SaltMustBe14Bytes(string salt, string described)
    {
        OptionAssert.ValidateFails(
            NoKeys + " -K " + OptionAssert.Key128 + " -A " + salt,
            OptionNames.Salt,
            described,
            "28 hex digits (14 bytes)");
    }

    [Fact]
    public void NoKeyMaterialIsAnErrorNamingKey()
    {
        OptionAssert.ValidateFails(NoKeys, OptionNames.Key, OptionNames.Passphrase, "No master key");
    }

    [Fact]
    public void KeyWithoutSaltIsAnErrorNamingSalt()
    {
        OptionAssert.ValidateFails(NoKeys + " -K " + OptionAssert.Key128, OptionNames.Salt, OptionNames.Key);
    }

    [Fact]
    public void SaltWithoutKeyIsAnErrorNamingKey()
    {
        OptionAssert.ValidateFails(NoKeys + " -A " + OptionAssert.Salt, OptionNames.Key, "alone is not enough");
    }

    [Theory]
    [InlineData(" -E pass")]
    [InlineData(" -E pass -K 0123456789abcdef0123456789abcdef")]
    [InlineData(" -E pass -A 0123456789abcdef0123456789ab")]
    public void PassphraseSuppliesWhatIsMissing(string keys)
    {
        using var options = AnytunCommandLine.ParseCommandLine(NoKeys + keys);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void PassphraseDoesNotRescueWrongKeyLength()
    {
        OptionAssert.ValidateFails(NoKeys + " -E pass -K 0123456789abcdef", OptionNames.Key, "16 hex digits (8 bytes)");
    }

    [Fact]
    public void EmptyPassphraseIsAnError()
    {
        using var options = AnytunCommandLine.ParseCommandLine(NoKeys);
        options.Passphrase = SecretBytes.FromUtf8(string.Empty);
        var ex = Assert.Throws<AnytunException>(() => options.Validate());
        OptionAssert.Check(ex, AnytunErrorCode.InvalidOption, OptionNames.Passphrase, "empty");
    }

    [Fact]
    public void NullCipherAndAuthNeedNoKeys()
    {
        using var options = AnytunCommandLine.ParseCommandLine(NoKeys + " -c null -a null");
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void NullKdIgnoresKeyMaterialWithWarning()
    {
        using var options = AnytunCommandLine.ParseCommandLine(NoKeys + " -c null -a null -K 0123");
        var warning = Assert.Single(options.Validate());
        Assert.Contains("ignored", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void NullKdWithCipherWarnsWithAnytunText()
    {
        using var options = AnytunCommandLine.ParseCommandLine(NoKeys + " -k null");
        Assert.Equal(new[] { "using NULL key derivation with encryption and or authentication enabled!" }, options.Validate());
    }

    [Theory]
    [InlineData(21, 20)]
    [InlineData(100, 20)]
    [InlineData(20, 20)]
    [InlineData(0, 0)]
    [InlineData(4, 4)]
    public void TagLengthClamp(int requested, int effective)
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " -b " + requested);
        Assert.Equal(effective, options.EffectiveTagLength);
        var warnings = options.Validate();
        if (requested > 20)
        {
            Assert.Equal($"sha1 auth algo can't generate tags of length {requested}, using maximum tag length(20)", Assert.Single(warnings));
        }
        else if (requested == 0)
        {
            Assert.Contains("not authenticated", Assert.Single(warnings), StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(warnings);
        }
    }

    [Fact]
    public void NullAuthHasNoTag()
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " -a null -b 32");
        Assert.Equal(0, options.EffectiveTagLength);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData(-1, OptionNames.Port)]
    [InlineData(65536, OptionNames.Port)]
    public void LocalPortRange(int port, string target)
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base);
        options.LocalPort = port;
        var ex = Assert.Throws<AnytunException>(() => options.Validate());
        OptionAssert.Check(ex, AnytunErrorCode.InvalidOption, target, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "out of range");
    }

    [Fact]
    public void RemotePortZeroIsOutOfRange()
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base);
        options.RemotePort = 0;
        var ex = Assert.Throws<AnytunException>(() => options.Validate());
        OptionAssert.Check(ex, AnytunErrorCode.InvalidOption, OptionNames.RemotePort, "out of range");
    }

    [Fact]
    public void DeviceNameLongerThan15()
    {
        OptionAssert.ValidateFails(OptionAssert.Base + " -d satp0123456789ab", OptionNames.Device, "'satp0123456789ab'", "16 characters");
    }

    [Fact]
    public void DeviceNameOf15IsFine()
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " -d satp0123456789a");
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void DeviceNameWithSlash()
    {
        OptionAssert.ValidateFails(OptionAssert.Base + " -d a/b", OptionNames.Device, "'/'");
    }

    [Theory]
    [InlineData(null, null, DeviceType.Tun)]
    [InlineData("tap7", null, DeviceType.Tap)]
    [InlineData("tunnel", null, DeviceType.Tun)]
    [InlineData("tap7", DeviceType.Tun, DeviceType.Tun)]
    [InlineData("satp0", DeviceType.Tap, DeviceType.Tap)]
    public void EffectiveDeviceType(string? name, DeviceType? type, DeviceType expected)
    {
        var options = new TunnelOptions { DeviceName = name, DeviceType = type };
        Assert.Equal(expected, options.EffectiveDeviceType);
    }

    [Fact]
    public void DeviceNameWithoutTypeHintWarns()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -d satp0 -c null -a null");
        Assert.Equal(DeviceType.Tun, options.EffectiveDeviceType);
        Assert.Contains(options.Validate(), w => w.Contains(OptionNames.Type, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fd21::1", 64, "only IPv4")]
    [InlineData("192.168.1.1", 33, "0 to 32")]
    [InlineData("192.168.1.1", -1, "0 to 32")]
    public void IfConfigBuiltInCodeIsChecked(string address, int prefix, string expected)
    {
        var options = new TunnelOptions { IfConfig = new IfConfig(IPAddress.Parse(address), prefix), Cipher = CipherAlgorithm.Null, Auth = AuthAlgorithm.Null };
        var ex = Assert.Throws<AnytunException>(() => options.Validate());
        OptionAssert.Check(ex, AnytunErrorCode.InvalidOption, OptionNames.IfConfig, expected);
    }

    [Theory]
    [InlineData(" -4 -r fd20::2", OptionNames.RemoteHost, "IPv6 address")]
    [InlineData(" -6 -r 10.200.0.2", OptionNames.RemoteHost, "IPv4 address")]
    [InlineData(" -4 -i fd20::1", OptionNames.Interface, "IPv6 address")]
    [InlineData(" -6 -i 10.200.0.1", OptionNames.Interface, "IPv4 address")]
    public void AddressFamilyContradictsLiteral(string extra, string target, string expected)
    {
        var ex = OptionAssert.ValidateFails("anytun -c null -a null" + extra, target, expected);
        Assert.Contains(extra.Contains("-4", StringComparison.Ordinal) ? OptionNames.IPv4Only : OptionNames.IPv6Only, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" -4 -r host.example")]
    [InlineData(" -6 -r fd20::2 -i fd20::1")]
    [InlineData(" -4 -r 10.200.0.2")]
    public void AddressFamilyWithNamesOrMatchingLiteralsIsFine(string extra)
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -c null -a null" + extra);
        Assert.Empty(options.Validate());
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/129")]
    [InlineData("net/8")]
    [InlineData("10.0.0.0/8,10.1")]
    public void BadRoutes(string route)
    {
        // Prefixes are typed when parsed, so a bad one fails at parse time (before Validate).
        OptionAssert.ParseFails("anytun -c null -a null -R " + route, OptionNames.Route, route.Split(',')[^1]);
    }

    [Theory]
    [InlineData("65536", true)]
    [InlineData("65537", false)]
    [InlineData("4294967295", false)]
    public void WindowSizeIsBoundedWithAClearError(string size, bool valid)
    {
        // anytun takes any uint32 (verified: anytun -w 4294967295 parses) and allocates size/8 bytes per sender id.
        using var options = AnytunCommandLine.ParseCommandLine("anytun -c null -a null -w " + size);
        if (valid)
        {
            Assert.Empty(options.Validate());
            return;
        }

        OptionAssert.Check(Assert.Throws<AnytunException>(() => options.Validate()), AnytunErrorCode.InvalidOption, OptionNames.WindowSize, size, "at most 65536");
    }

    [Fact]
    public void RoutesAccumulateAndSplitOnCommas()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -c null -a null -R 10.0.0.0/8,192.168.0.0/16 -R fd00::/8");
        Assert.Equal(new[] { "10.0.0.0/8", "192.168.0.0/16", "fd00::/8" }, options.Routes.Select(r => r.ToString()));
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void DuplicateStdoutLogTarget()
    {
        OptionAssert.ValidateFails("anytun -c null -a null -L stdout:3 -L stdout:5", OptionNames.Log, "more than once");
    }

    [Fact]
    public void FileLogTargetMayRepeat()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -c null -a null -L file:3,/tmp/a.log -L file:5,/tmp/b.log -L stderr:2");
        Assert.Equal(3, options.LogTargets.Count);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void ClusterOptionsMixedWithConnectionOptionsWarnLikeAnytun()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -c null -a null -I 10.0.0.1 -r 10.0.0.2");
        Assert.Contains(options.Validate(), w => w.StartsWith("you have provided options for cluster support as well as connection oriented options", StringComparison.Ordinal));
    }

    [Fact]
    public void RelativePostUpScriptWarns()
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " -x up.sh");
        Assert.Contains(options.Validate(), w => w.Contains(OptionNames.PostUpScript, StringComparison.Ordinal));
    }

    [Fact]
    public void UndefinedEnumValuesFromCodeAreRejected()
    {
        var options = new TunnelOptions { Cipher = (CipherAlgorithm)42 };
        var ex = Assert.Throws<AnytunException>(() => options.Validate());
        Assert.Equal(OptionNames.Cipher, ex.Target);
        Assert.Contains("-c 42", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DisposedSecretIsReportedNotUsed()
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base);
        options.Key!.Dispose();
        var ex = Assert.Throws<AnytunException>(() => options.Validate());
        OptionAssert.Check(ex, AnytunErrorCode.InvalidOption, OptionNames.Key, "disposed");
    }
}
