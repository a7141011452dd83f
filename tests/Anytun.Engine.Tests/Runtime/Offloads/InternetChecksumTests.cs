using Anytun.Engine.Device;

namespace Anytun.Engine.Tests.Runtime.Offloads;

public sealed class InternetChecksumTests
{
    [Fact]
    public void KnownIpv4HeaderChecksum()
    {
        // The classic worked example: 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7.
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");
        Assert.Equal(0xB861, InternetChecksum.Finish(InternetChecksum.Sum(header)));
        header[10] = 0xB8;
        header[11] = 0x61;
        Assert.Equal(0, InternetChecksum.Finish(InternetChecksum.Sum(header)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(63)]
    [InlineData(1399)]
    [InlineData(65535)]
    public void SumMatchesTheReferenceForAnyLength(int length)
    {
        var data = TestPackets.Payload(length, seed: length);
        Assert.Equal(TestPackets.ReferenceSum(data, 0), InternetChecksum.Sum(data));
    }

    [Fact]
    public void SumHandlesCarriesOfAllOnesData()
    {
        var data = new byte[4096];
        data.AsSpan().Fill(0xFF);
        Assert.Equal(TestPackets.ReferenceSum(data, 0), InternetChecksum.Sum(data));
    }
}
