using System.Net;
using System.Net.Sockets;
using Anytun.Engine.Routing;

namespace Anytun.Engine.Tests.Routing;

public sealed class IPPrefixTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", 8)]
    [InlineData("10.1.2.3/8", "10.0.0.0/8", 8)]
    [InlineData("10.0.0.128/25", "10.0.0.128/25", 25)]
    [InlineData("128.0.0.0/1", "128.0.0.0/1", 1)]
    [InlineData("255.255.255.255/31", "255.255.255.254/31", 31)]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", 0)]
    [InlineData("192.0.2.7", "192.0.2.7/32", 32)]
    [InlineData("fd00::/8", "fd00::/8", 8)]
    [InlineData("FD00:0:0:0:0:0:0:1/64", "fd00::/64", 64)]
    [InlineData("::/0", "::/0", 0)]
    [InlineData("2001:db8::1", "2001:db8::1/128", 128)]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", 127)]
    public void ParseGivesTheMaskedCanonicalText(string text, string canonical, int length)
    {
        var prefix = IPPrefix.Parse(text);
        Assert.Equal(canonical, prefix.ToString());
        Assert.Equal(length, prefix.PrefixLength);
        Assert.Equal(IPPrefix.Parse(canonical), prefix);
    }

    [Fact]
    public void TheAddressIsKeptAsGivenForSync()
    {
        var prefix = IPPrefix.Parse("10.200.0.2/24");
        Assert.Equal(IPAddress.Parse("10.200.0.2"), prefix.Address);
        Assert.Equal(IPAddress.Parse("10.200.0.0"), prefix.Network);
        Assert.Equal("10.200.0.2/24", prefix.ToUnmaskedString());
        Assert.Equal(AddressFamily.InterNetwork, prefix.Family);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("10.0.0.0/33", "0 to 32")]
    [InlineData("fd00::/129", "0 to 128")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("10.0.0.0/+8", "prefix length")]
    [InlineData("10.0.0.0/ 8", "prefix length")]
    [InlineData("10.0.0.0/8/8", "prefix length")]
    [InlineData("10/8", "not an IPv4")]
    [InlineData("10.1/16", "not an IPv4")]
    [InlineData("010.0.0.0/8", "not an IPv4")]
    [InlineData("0x0a.0.0.0/8", "not an IPv4")]
    [InlineData("10.0.0.256/32", "not an IPv4")]
    [InlineData("10.0.0.0.0/8", "not an IPv4")]
    [InlineData(" 10.0.0.0/8", "not an IPv4")]
    [InlineData("fe80::1%eth0/64", "not an IPv4")]
    [InlineData("[fd00::]/8", "not an IPv4")]
    [InlineData("garbage", "not an IPv4")]
    public void BadTextIsRejectedWithAClearMessage(string text, string part)
    {
        var error = Assert.Throws<AnytunException>(() => IPPrefix.Parse(text));
        Assert.Equal(AnytunErrorCode.InvalidPrefix, error.Code);
        Assert.Equal(text, error.Target);
        Assert.Contains(part, error.Message, StringComparison.Ordinal);
        Assert.False(IPPrefix.TryParse(text, out _));
    }

    [Fact]
    public void ConstructorRejectsALengthThatDoesNotFitTheFamily()
    {
        Assert.Equal(AnytunErrorCode.InvalidPrefix, Assert.Throws<AnytunException>(() => new IPPrefix(IPAddress.Loopback, 33)).Code);
        Assert.Equal(AnytunErrorCode.InvalidPrefix, Assert.Throws<AnytunException>(() => new IPPrefix(IPAddress.IPv6Loopback, -1)).Code);
    }

    [Theory]
    [InlineData("10.0.0.128/25", "10.0.0.128", true)]
    [InlineData("10.0.0.128/25", "10.0.0.255", true)]
    [InlineData("10.0.0.128/25", "10.0.0.127", false)]
    [InlineData("128.0.0.0/1", "255.255.255.255", true)]
    [InlineData("128.0.0.0/1", "127.255.255.255", false)]
    [InlineData("0.0.0.0/0", "1.2.3.4", true)]
    [InlineData("0.0.0.0/0", "::1", false)]
    [InlineData("::/0", "::1", true)]
    [InlineData("fd00::/8", "fdff::1", true)]
    [InlineData("fd00::/8", "fe00::1", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    public void ContainsChecksFamilyAndNetwork(string prefix, string address, bool expected)
    {
        Assert.Equal(expected, IPPrefix.Parse(prefix).Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void EqualityIgnoresHostBitsButNotLengthOrFamily()
    {
        Assert.Equal(IPPrefix.Parse("10.0.0.1/24"), IPPrefix.Parse("10.0.0.0/24"));
        Assert.True(IPPrefix.Parse("10.0.0.1/24") == IPPrefix.Parse("10.0.0.200/24"));
        Assert.NotEqual(IPPrefix.Parse("10.0.0.0/24"), IPPrefix.Parse("10.0.0.0/25"));
        Assert.NotEqual(IPPrefix.Parse("0.0.0.0/0"), IPPrefix.Parse("::/0"));
        Assert.Equal(IPPrefix.Parse("10.0.0.1/24").GetHashCode(), IPPrefix.Parse("10.0.0.0/24").GetHashCode());
        Assert.Equal(IPPrefix.Parse("0.0.0.0/0"), default);
    }

    [Fact]
    public void SortOrderIsAnytunsDumpOrder()
    {
        var prefixes = new[] { "fd00::/8", "10.200.0.3/32", "10.201.0.0/16", "::/0", "10.200.0.2/32" }.Select(IPPrefix.Parse).ToList();
        prefixes.Sort();
        Assert.Equal(new[] { "10.201.0.0/16", "10.200.0.2/32", "10.200.0.3/32", "::/0", "fd00::/8" }, prefixes.Select(p => p.ToString()));
    }
}
