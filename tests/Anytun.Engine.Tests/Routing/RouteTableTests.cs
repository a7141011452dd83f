using System.Buffers.Binary;
using System.Net;
using Anytun.Engine.Control;
using Anytun.Engine.Routing;

namespace Anytun.Engine.Tests.Routing;

public sealed class RouteTableTests
{
    [Fact]
    public void EmptyTableMatchesNothing()
    {
        Assert.False(RouteTable.Empty.TryLookup(Ipv4To("10.0.0.1"), out _));
        Assert.False(RouteTable.Empty.TryLookup(Ipv6To("fd00::1"), out _));
    }

    [Fact]
    public void LongestPrefixWins()
    {
        var table = Build(("10.0.0.0/8", 1), ("10.1.0.0/16", 2), ("10.1.2.3/32", 3), ("0.0.0.0/0", 4), ("fd00::/8", 5), ("fd00::1/128", 6));
        Assert.Equal(3, Lookup(table, "10.1.2.3"));
        Assert.Equal(2, Lookup(table, "10.1.2.4"));
        Assert.Equal(1, Lookup(table, "10.2.0.0"));
        Assert.Equal(4, Lookup(table, "192.0.2.1"));
        Assert.Equal(6, Lookup(table, "fd00::1"));
        Assert.Equal(5, Lookup(table, "fd00::2"));
        Assert.Null(Lookup(table, "fe80::1"));
    }

    [Theory]
    [InlineData("10.0.0.128/25", "10.0.0.255", "10.0.0.127")]
    [InlineData("10.128.0.0/9", "10.255.255.255", "10.127.255.255")]
    [InlineData("128.0.0.0/1", "255.255.255.255", "127.255.255.255")]
    [InlineData("255.255.255.254/31", "255.255.255.255", "255.255.255.253")]
    [InlineData("255.255.255.255/32", "255.255.255.255", "255.255.255.254")]
    [InlineData("ffff::/16", "ffff:ffff::1", "fffe::1")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")]
    [InlineData("::/0", "::1", null)]
    [InlineData("0.0.0.0/0", "0.0.0.0", null)]
    public void PrefixesWhosePartialOctetEndsIn0xFFWork(string prefix, string inside, string? outside)
    {
        // anytun's octet loop never terminates on these (spec §1.5 step 4).
        var table = Build((prefix, 9));
        Assert.Equal(9, Lookup(table, inside));
        if (outside is not null)
        {
            Assert.Null(Lookup(table, outside));
        }
    }

    [Fact]
    public void SamePrefixTwiceKeepsTheLastEntry()
    {
        var table = Build(("10.0.0.1/24", 1), ("10.0.0.0/24", 2));
        Assert.Single(table.Entries);
        Assert.Equal(2, Lookup(table, "10.0.0.9"));
    }

    [Fact]
    public void ShortOrNonIpPacketsMatchNothing()
    {
        var table = Build(("0.0.0.0/0", 1), ("::/0", 2));
        Assert.False(table.TryLookup(Ipv4To("10.0.0.1").AsSpan(0, 19), out _));
        Assert.False(table.TryLookup(Ipv6To("fd00::1").AsSpan(0, 39), out _));
        Assert.False(table.TryLookup(new byte[60], out _));
        Assert.False(table.TryLookup(ReadOnlySpan<byte>.Empty, out _));
    }

    [Fact]
    public void EntriesAreInDumpOrder()
    {
        var table = Build(("fd00::/8", 1), ("10.200.0.3/32", 1), ("10.201.0.0/16", 1), ("10.200.0.2/32", 1));
        Assert.Equal(new[] { "10.201.0.0/16", "10.200.0.2/32", "10.200.0.3/32", "fd00::/8" }, table.Entries.Select(e => e.Prefix.ToString()));
    }

    [Fact]
    public void LookupDoesNotAllocate()
    {
        var table = RandomTable(new Random(7), 1000);
        var v4 = Ipv4To("10.1.2.3");
        var v6 = Ipv6To("fd00::1");
        table.TryLookup(v4, out _);
        table.TryLookup(v6, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(v4.AsSpan(16), (uint)i * 2654435761u);
            table.TryLookup(v4, out _);
            table.TryLookup(v6, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Random tables against a naive linear longest match (allowedips_rand_test.go pattern), v4 and v6.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 10)]
    [InlineData(3, 100)]
    [InlineData(4, 1000)]
    [InlineData(5, 5000)]
    public void MatchesANaiveLongestMatch(int seed, int routes)
    {
        var random = new Random(seed);
        var table = RandomTable(random, routes);
        var entries = table.Entries;
        for (var i = 0; i < 20_000; i++)
        {
            // Half the probes land inside a known prefix (near its edges, where masks go wrong), half anywhere.
            var address = random.Next(2) == 0 && entries.Count > 0
                ? NearPrefix(random, entries[random.Next(entries.Count)].Prefix)
                : RandomAddress(random, random.Next(2) == 0);
            var expected = NaiveLookup(entries, address);
            var packet = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Ipv4To(address) : Ipv6To(address);
            var found = table.TryLookup(packet, out var mux);
            Assert.True(expected == (found ? mux : null), $"seed {seed}: {address} expected {expected?.ToString() ?? "none"}, got {(found ? mux.ToString() : "none")}");
        }
    }

    internal static RouteTable RandomTable(Random random, int count)
    {
        var entries = new List<RouteEntry>();
        for (var i = 0; i < count; i++)
        {
            var v4 = random.Next(2) == 0;
            var length = random.Next(6) switch
            {
                0 => v4 ? 32 : 128, // host routes, the common case
                1 => v4 ? 24 : 64,
                2 => random.Next(2) == 0 ? 0 : 1,
                _ => random.Next(0, (v4 ? 32 : 128) + 1),
            };
            entries.Add(new RouteEntry(new IPPrefix(RandomAddress(random, v4, edgeBytes: true), length), (ushort)random.Next(65536), EntryOrigin.Cmdlet));
        }

        return RouteTable.Build(entries);
    }

    private static IPAddress RandomAddress(Random random, bool v4, bool edgeBytes = false)
    {
        var bytes = new byte[v4 ? 4 : 16];
        random.NextBytes(bytes);
        if (edgeBytes)
        {
            // Many 0xFF / 0x80 / 0x00 octets: the values anytun's loop trips over.
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = random.Next(4) switch { 0 => 0xFF, 1 => 0x80, 2 => 0x00, _ => bytes[i] };
            }
        }

        return new IPAddress(bytes);
    }

    private static IPAddress NearPrefix(Random random, IPPrefix prefix)
    {
        var bytes = prefix.Network.GetAddressBytes();
        // Flip one bit somewhere: inside the host part it stays in the prefix, inside the network part it leaves it.
        var bit = random.Next(bytes.Length * 8);
        bytes[bit / 8] ^= (byte)(0x80 >> (bit % 8));
        if (random.Next(2) == 0)
        {
            // ... or set all host bits (the last address of the prefix).
            bytes = prefix.Network.GetAddressBytes();
            for (var b = prefix.PrefixLength; b < bytes.Length * 8; b++)
            {
                bytes[b / 8] |= (byte)(0x80 >> (b % 8));
            }
        }

        return new IPAddress(bytes);
    }

    private static ushort? NaiveLookup(IReadOnlyList<RouteEntry> entries, IPAddress address)
    {
        RouteEntry? best = null;
        foreach (var entry in entries)
        {
            if (NaiveContains(entry.Prefix, address) && (best is null || entry.Prefix.PrefixLength > best.Prefix.PrefixLength))
            {
                best = entry;
            }
        }

        return best?.Mux;
    }

    // Bit by bit, independent of the masks the table uses.
    private static bool NaiveContains(IPPrefix prefix, IPAddress address)
    {
        if (prefix.Family != address.AddressFamily)
        {
            return false;
        }

        var a = prefix.Address.GetAddressBytes();
        var b = address.GetAddressBytes();
        for (var bit = 0; bit < prefix.PrefixLength; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }

    internal static RouteTable Build(params (string Prefix, ushort Mux)[] routes) =>
        RouteTable.Build(routes.Select(r => new RouteEntry(IPPrefix.Parse(r.Prefix), r.Mux, EntryOrigin.Cmdlet)));

    private static int? Lookup(RouteTable table, string address)
    {
        var parsed = IPAddress.Parse(address);
        var packet = parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Ipv4To(parsed) : Ipv6To(parsed);
        return table.TryLookup(packet, out var mux) ? mux : null;
    }

    internal static byte[] Ipv4To(string destination) => Ipv4To(IPAddress.Parse(destination));

    internal static byte[] Ipv4To(IPAddress destination)
    {
        var packet = new byte[28];
        packet[0] = 0x45;
        destination.GetAddressBytes().CopyTo(packet, 16);
        return packet;
    }

    internal static byte[] Ipv6To(string destination) => Ipv6To(IPAddress.Parse(destination));

    internal static byte[] Ipv6To(IPAddress destination)
    {
        var packet = new byte[48];
        packet[0] = 0x60;
        destination.GetAddressBytes().CopyTo(packet, 24);
        return packet;
    }
}
