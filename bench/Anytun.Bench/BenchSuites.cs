using Anytun.Engine.Configuration;
using Anytun.Engine.Protocol;

namespace Anytun.Bench;

/// <summary>The suites the benchmarks compare, with fixed key material.</summary>
internal static class BenchSuites
{
    private static readonly byte[] MasterKey256 = Convert.FromHexString("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    private static readonly byte[] MasterSalt = Convert.FromHexString("0123456789abcdef0123456789ab");

    public static SatpCryptoSuite Create(string name, Role role) => name switch
    {
        "aes-ctr-256" => new SatpCryptoSuite(
            CipherAlgorithm.AesCtr256, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr256, 10, role, MasterKey256, MasterSalt),
        _ => new SatpCryptoSuite(
            CipherAlgorithm.AesCtr128, AuthAlgorithm.Sha1, KeyDerivationPrf.AesCtr128, 10, role, MasterKey256.AsSpan(0, 16), MasterSalt),
    };
}
