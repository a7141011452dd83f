using Anytun.Engine.Crypto;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Anytun.Engine.Tests.Crypto;

/// <summary>Both AES-CTR implementations against BouncyCastle's AES/CTR (128-bit big-endian counter).</summary>
public sealed class AesCtrOracleTests
{
    public static TheoryData<string> Implementations() => new() { "aes-ni", "portable" };

    [Theory]
    [MemberData(nameof(Implementations))]
    public void RandomKeysIvsAndLengthsMatchBouncyCastle(string implementation)
    {
        using var cipher = Create(implementation);
        var random = new Random(20261126);
        for (var i = 0; i < 300; i++)
        {
            var key = RandomBytes(random, KeySizes[random.Next(3)]);
            var iv = RandomIv(random);
            var input = RandomBytes(random, random.Next(0, 1601));
            AssertMatchesOracle(cipher, key, iv, input);
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void EveryLengthFrom0To1600Matches(string implementation)
    {
        using var cipher = Create(implementation);
        var random = new Random(7);
        var key = RandomBytes(random, 16);
        var iv = RandomIv(random);
        for (var length = 0; length <= 1600; length++)
        {
            AssertMatchesOracle(cipher, key, iv, RandomBytes(random, length));
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void CounterCarriesAcross64And128BitBoundaries(string implementation)
    {
        using var cipher = Create(implementation);
        var random = new Random(99);
        foreach (var keySize in KeySizes)
        {
            var key = RandomBytes(random, keySize);
            foreach (var iv in new[]
            {
                Convert.FromHexString("0011223344556677FFFFFFFFFFFFFFFA"), // low half wraps into the high half
                Convert.FromHexString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC"), // whole counter wraps to zero
                Convert.FromHexString("000000000000000000000000FFFFFFFF"),
                Convert.FromHexString("00000000000000000000000000000000"),
            })
            {
                foreach (var length in new[] { 1, 16, 17, 63, 64, 65, 100, 257 })
                {
                    AssertMatchesOracle(cipher, key, iv, RandomBytes(random, length));
                }
            }
        }
    }

    [Fact]
    public void InPlaceTransformEqualsOutOfPlace()
    {
        using var cipher = Create("aes-ni");
        var random = new Random(3);
        var key = RandomBytes(random, 32);
        var iv = RandomIv(random);
        var data = RandomBytes(random, 1400);
        cipher.SetKey(key);
        var outOfPlace = new byte[data.Length];
        cipher.Transform(iv, data, outOfPlace);
        cipher.Transform(iv, data, data);
        Assert.Equal(outOfPlace, data);
    }

    [Fact]
    public void Fips197AppendixCBlockVectors()
    {
        // FIPS-197 C.1-C.3: plaintext 00112233..ff; CTR with counter = plaintext over zeros yields the ciphertext.
        var plaintext = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        var cases = new (string Key, string Cipher)[]
        {
            ("000102030405060708090A0B0C0D0E0F", "69C4E0D86A7B0430D8CDB78070B4C55A"),
            ("000102030405060708090A0B0C0D0E0F1011121314151617", "DDA97CA4864CDFE06EAF70A0EC0D7191"),
            ("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "8EA2B7CA516745BFEAFC49904B496089"),
        };
        foreach (var implementation in new[] { "aes-ni", "portable" })
        {
            using var cipher = Create(implementation);
            foreach (var (key, expected) in cases)
            {
                cipher.SetKey(Convert.FromHexString(key));
                var output = new byte[16];
                cipher.GenerateKeystream(plaintext, output);
                Assert.Equal(expected, Convert.ToHexString(output));
            }
        }
    }

    private static readonly int[] KeySizes = [16, 24, 32];

    internal static AesCtrCipher Create(string implementation) =>
        implementation == "aes-ni" && AesCtrCipher.IsHardwareAccelerated ? new AesNiCtrCipher() : new PortableAesCtrCipher();

    private static void AssertMatchesOracle(AesCtrCipher cipher, byte[] key, byte[] iv, byte[] input)
    {
        var oracle = CipherUtilities.GetCipher("AES/CTR/NoPadding");
        oracle.Init(true, new ParametersWithIV(new KeyParameter(key), iv));
        var expected = oracle.DoFinal(input);

        cipher.SetKey(key);
        var actual = new byte[input.Length];
        cipher.Transform(iv, input, actual);
        Assert.True(expected.AsSpan().SequenceEqual(actual), $"key {key.Length * 8} bit, iv {Convert.ToHexString(iv)}, length {input.Length}");
    }

    private static byte[] RandomIv(Random random)
    {
        var iv = RandomBytes(random, 16);
        switch (random.Next(4))
        {
            case 0:
                // Low 64 bits a few blocks before wrapping.
                for (var i = 8; i < 15; i++)
                {
                    iv[i] = 0xFF;
                }

                break;
            case 1:
                // Whole 128-bit counter close to 2^128.
                Array.Fill(iv, (byte)0xFF, 0, 15);
                break;
        }

        return iv;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
