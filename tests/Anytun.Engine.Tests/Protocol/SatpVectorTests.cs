using Anytun.Engine.Protocol;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Protocol;

/// <summary>
/// Every datagram captured from Debian anytun 0.3.8 / uanytun 0.3.7 (Vectors/dataplane/*/vector.md): the sender's
/// suite, built from its command line, re-encodes the captured inner packet to the identical UDP payload; the
/// receiver's suite decodes the captured payload back; the intermediate keys equal verify.py's.
/// </summary>
[Collection(AesImplementationCollection.Name)]
public sealed class SatpVectorTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var c in VectorCatalog.DatagramCases())
        {
            yield return [c[0], c[1], "aes-ni"];
            yield return [c[0], c[1], "portable"];
        }
    }

    [Fact]
    public void CatalogContainsEveryRequiredVector()
    {
        foreach (var name in VectorCatalog.RequiredNames)
        {
            Assert.True(VectorCatalog.Vectors.ContainsKey(name), $"vector {name} missing");
            var vector = VectorCatalog.Get(name);
            Assert.NotEmpty(vector.Datagrams);
            if (vector.KdPrf != "null")
            {
                // The intermediate values were parsed, so DerivedSessionValuesMatchVector really checks them.
                Assert.NotNull(vector.MasterKey);
                Assert.NotNull(vector.MasterSalt);
                Assert.All(vector.Datagrams, d => Assert.NotNull(d.AuthCounterBlock));
                Assert.All(vector.Datagrams, d => Assert.NotNull(d.SessionAuthKey));
                if (vector.Cipher != "null")
                {
                    Assert.All(vector.Datagrams, d => Assert.NotNull(d.SessionEncryptionKey));
                    Assert.All(vector.Datagrams, d => Assert.NotNull(d.PacketIv));
                }
            }
        }
    }

    public static IEnumerable<object[]> VectorSides() =>
        VectorCatalog.Vectors.Keys.Order(StringComparer.Ordinal)
            .Where(name => !name.StartsWith("badkey-", StringComparison.Ordinal))
            .SelectMany(name => new[] { new object[] { name, "A" }, new object[] { name, "B" } });

    [Theory]
    [MemberData(nameof(VectorSides))]
    public void MasterKeyMaterialFromCommandLineMatchesVector(string vector, string side)
    {
        var v = VectorCatalog.Get(vector);
        var options = VectorSuites.ParseOptions(v, side[0]);
        using var material = Anytun.Engine.Configuration.MasterKeyMaterial.FromOptions(options);
        if (options.EffectiveKdPrf == Anytun.Engine.Configuration.KeyDerivationPrf.Null)
        {
            Assert.Equal(0, material.Key.Length);
            return;
        }

        Assert.Equal(Convert.ToHexString(v.MasterKey!), Convert.ToHexString(material.Key.Span));
        Assert.Equal(Convert.ToHexString(v.MasterSalt!), Convert.ToHexString(material.Salt.Span));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodeReproducesCapturedDatagram(string vector, int datagram, string aes)
    {
        var (v, d) = Find(vector, datagram);
        using var scope = new AesImplementationScope(aes == "portable");
        using var suite = VectorSuites.ForSide(v, d.SenderSide);
        using var encoder = suite.CreateEncoder();
        Assert.Equal(d.TagLength, encoder.TagLength);

        var buffer = new byte[SatpPacket.RequiredBufferSize(d.InnerPacket.Length)];
        d.InnerPacket.CopyTo(buffer, SatpPacket.InnerOffset);
        var length = encoder.Encode(buffer, d.InnerPacket.Length, (PayloadType)d.PayloadType, d.Sequence, d.SenderId, d.Mux);

        Assert.Equal(Convert.ToHexString(d.Payload), Convert.ToHexString(buffer, 0, length));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecodeRecoversCapturedInnerPacket(string vector, int datagram, string aes)
    {
        var (v, d) = Find(vector, datagram);
        using var scope = new AesImplementationScope(aes == "portable");
        using var suite = VectorSuites.ForSide(v, d.ReceiverSide);
        using var decoder = suite.CreateDecoder();

        var buffer = (byte[])d.Payload.Clone();
        Assert.Equal(DropReason.None, decoder.Authenticate(buffer, out var header));
        Assert.Equal(d.Sequence, header.Sequence);
        Assert.Equal(d.SenderId, header.SenderId);
        Assert.Equal(d.Mux, header.Mux);
        Assert.Equal(DropReason.None, decoder.Decrypt(buffer, header, out var type, out var innerLength));
        Assert.Equal(d.PayloadType, (ushort)type);
        Assert.Equal(Convert.ToHexString(d.InnerPacket), Convert.ToHexString(buffer, SatpPacket.InnerOffset, innerLength));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DerivedSessionValuesMatchVector(string vector, int datagram, string aes)
    {
        var (v, d) = Find(vector, datagram);
        using var scope = new AesImplementationScope(aes == "portable");
        using var sender = VectorSuites.ForSide(v, d.SenderSide);
        using var receiver = VectorSuites.ForSide(v, d.ReceiverSide);
        using var senderKd = sender.CreateKeyDerivation();
        using var receiverKd = receiver.CreateKeyDerivation();
        var outbound = SatpLabels.Outbound(sender.Role);
        var inbound = SatpLabels.Inbound(receiver.Role);
        if (sender.KdPrf != Anytun.Engine.Configuration.KeyDerivationPrf.Null)
        {
            // Opposite roles: what one side sends with is what the other receives with.
            Assert.Equal(outbound, inbound);
        }

        if (d.SessionEncryptionKey is { } encKey)
        {
            AssertDerived(encKey, senderKd, sender.Keys, outbound.Encryption, d.Sequence);
            AssertDerived(encKey, receiverKd, receiver.Keys, inbound.Encryption, d.Sequence);
        }

        if (d.SessionSalt is { } salt)
        {
            AssertDerived(salt, senderKd, sender.Keys, outbound.Salt, d.Sequence);
            AssertDerived(salt, receiverKd, receiver.Keys, inbound.Salt, d.Sequence);
        }

        if (d.SessionAuthKey is { } authKey)
        {
            AssertDerived(authKey, senderKd, sender.Keys, outbound.Authentication, d.Sequence);
            AssertDerived(authKey, receiverKd, receiver.Keys, inbound.Authentication, d.Sequence);
        }

        if (v.MasterSalt is { } masterSalt && sender.KdPrf != Anytun.Engine.Configuration.KeyDerivationPrf.Null)
        {
            AssertCounterBlock(d.EncCounterBlock, masterSalt, outbound.Encryption, d.Sequence);
            AssertCounterBlock(d.SaltCounterBlock, masterSalt, outbound.Salt, d.Sequence);
            AssertCounterBlock(d.AuthCounterBlock, masterSalt, outbound.Authentication, d.Sequence);
        }

        if (d.PacketIv is { } expectedIv && d.SessionSalt is { } sessionSalt)
        {
            var iv = new byte[16];
            SatpPacketProtection.BuildPacketIv(sessionSalt, d.Sequence, d.SenderId, d.Mux, iv);
            Assert.Equal(Convert.ToHexString(expectedIv), Convert.ToHexString(iv));
        }

        if (d.Hmac is { } hmac && d.SessionAuthKey is { } key)
        {
            using var mac = new Anytun.Engine.Crypto.HmacSha1();
            var computed = new byte[20];
            mac.Compute(key, d.Payload.AsSpan(0, d.Payload.Length - d.TagLength), computed);
            Assert.Equal(Convert.ToHexString(hmac), Convert.ToHexString(computed));
        }
    }

    private static void AssertCounterBlock(byte[]? expected, byte[] masterSalt, uint label, uint sequence)
    {
        if (expected is null)
        {
            return;
        }

        var counter = new byte[16];
        SatpKeyDerivation.BuildCounterBlock(masterSalt, label, sequence, counter);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(counter));
    }

    private static void AssertDerived(byte[] expected, SatpKeyDerivation kd, Anytun.Engine.Connections.ConnectionKeys keys, uint label, uint sequence)
    {
        var actual = new byte[expected.Length];
        kd.Derive(keys, label, sequence, actual);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(actual));
    }

    private static (DataplaneVector Vector, VectorDatagram Datagram) Find(string vector, int datagram)
    {
        var v = VectorCatalog.Get(vector);
        return (v, v.Datagrams.Single(x => x.Number == datagram));
    }
}
