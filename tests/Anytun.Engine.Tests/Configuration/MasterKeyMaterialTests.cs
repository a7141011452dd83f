using System.Text.RegularExpressions;
using Anytun.Engine.Configuration;

namespace Anytun.Engine.Tests.Configuration;

public sealed partial class MasterKeyMaterialTests
{
    private const string VectorPassphrase = "SATP-test-vector-passphrase";

    [Theory]
    [InlineData("passphrase")]
    [InlineData("passphrase192")]
    [InlineData("passphrase256")]
    [InlineData("interop-uanytun-anytun-pass")]
    public void PassphraseDerivationMatchesVectors(string vector)
    {
        var markdown = DataplaneVectorFiles.ReadVectorMarkdown(vector);
        var expectedKey = KeyLine().Match(markdown).Groups[1].Value;
        var expectedSalt = SaltLine().Match(markdown).Groups[1].Value;
        Assert.NotEmpty(expectedKey);
        Assert.NotEmpty(expectedSalt);

        foreach (var side in new[] { "cmd_A.txt", "cmd_B.txt" })
        {
            using var options = AnytunCommandLine.ParseCommandLine(DataplaneVectorFiles.ReadCommandLine(vector + "/" + side));
            Assert.Empty(options.Validate());
            using var material = options.GetMasterKeyAndSalt();
            Assert.Equal(expectedKey, Convert.ToHexString(material.Key.Span).ToLowerInvariant());
            Assert.Equal(expectedSalt, Convert.ToHexString(material.Salt.Span).ToLowerInvariant());
        }
    }

    [Fact]
    public void KeyAndSaltTakePrecedenceIndependently()
    {
        using var keyOnly = AnytunCommandLine.ParseCommandLine($"anytun -E {VectorPassphrase} -K {OptionAssert.Key128}");
        using var keyOnlyMaterial = keyOnly.GetMasterKeyAndSalt();
        Assert.Equal(OptionAssert.Key128, Convert.ToHexString(keyOnlyMaterial.Key.Span).ToLowerInvariant());
        Assert.Equal("710ae6569bbc505807a38acd34f3", Convert.ToHexString(keyOnlyMaterial.Salt.Span).ToLowerInvariant());

        using var saltOnly = AnytunCommandLine.ParseCommandLine($"anytun -E {VectorPassphrase} -A {OptionAssert.Salt}");
        using var saltOnlyMaterial = saltOnly.GetMasterKeyAndSalt();
        Assert.Equal("0e0e21c404ee7b4c97cadeb99a65f6ef", Convert.ToHexString(saltOnlyMaterial.Key.Span).ToLowerInvariant());
        Assert.Equal(OptionAssert.Salt, Convert.ToHexString(saltOnlyMaterial.Salt.Span).ToLowerInvariant());
    }

    [Fact]
    public void MaterialIsACopy()
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base);
        var material = options.GetMasterKeyAndSalt();
        material.Dispose();
        Assert.Equal(Convert.FromHexString(OptionAssert.Key128), options.Key!.Span.ToArray());
        Assert.DoesNotContain(OptionAssert.Key128, material.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void InvalidKeyMaterialThrowsLikeValidate()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -K 0011");
        var ex = Assert.Throws<AnytunException>(() => options.GetMasterKeyAndSalt());
        Assert.Equal(AnytunErrorCode.InvalidOption, ex.Code);
    }

    [GeneratedRegex(@"master key = last \d+ bytes = `([0-9a-f]+)`")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"master salt = last 14 bytes = `([0-9a-f]+)`")]
    private static partial Regex SaltLine();
}
