using Anytun.Engine.Configuration;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Tests.Support;

/// <summary>Builds the crypto suite of one side of a vector from its captured daemon command line.</summary>
public static class VectorSuites
{
    /// <summary>
    /// The suite of <paramref name="side"/> from its command line via <see cref="AnytunCommandLine"/>. Vectors named
    /// "badkey-*" capture key material our implementation rejects on purpose (spec §12.3); for them the suite is
    /// built from the effective values verify.py printed (summary line, master key) instead.
    /// </summary>
    public static SatpCryptoSuite ForSide(DataplaneVector vector, char side)
    {
        if (vector.Name.StartsWith("badkey-", StringComparison.Ordinal))
        {
            return FromSummary(vector, side == 'A' ? Role.Left : Role.Right);
        }

        var options = ParseOptions(vector, side);
        try
        {
            return SatpCryptoSuite.FromOptions(options);
        }
        finally
        {
            options.Passphrase?.Dispose();
            options.Key?.Dispose();
            options.Salt?.Dispose();
        }
    }

    /// <summary>The options of <paramref name="side"/>'s captured command line (without the stdbuf wrapper).</summary>
    public static TunnelOptions ParseOptions(DataplaneVector vector, char side) =>
        AnytunCommandLine.ParseCommandLine(StripWrapper(vector.CommandOf(side)));

    /// <summary>The suite from the vector's summary line (effective algorithms, master key/salt).</summary>
    public static SatpCryptoSuite FromSummary(DataplaneVector vector, Role role)
    {
        Assert.True(AlgorithmNames.TryParseCipher(vector.Cipher, out var cipher), vector.Cipher);
        Assert.True(AlgorithmNames.TryParseAuth(vector.Auth, out var auth), vector.Auth);
        Assert.True(AlgorithmNames.TryParseKdPrf(vector.KdPrf, out var kd), vector.KdPrf);
        return new SatpCryptoSuite(cipher, auth, kd, vector.TagLength, role, vector.MasterKey ?? [], vector.MasterSalt ?? []);
    }

    private static string StripWrapper(string commandLine)
    {
        const string wrapper = "stdbuf -oL ";
        return commandLine.StartsWith(wrapper, StringComparison.Ordinal) ? commandLine[wrapper.Length..] : commandLine;
    }
}
