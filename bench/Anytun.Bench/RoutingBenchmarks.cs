using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Control;
using Anytun.Engine.Routing;
using BenchmarkDotNet.Attributes;

namespace Anytun.Bench;

/// <summary>
/// The per-packet table costs of many connections: the sender's longest-prefix lookup on the inner destination
/// (IPv4/IPv6, 1 to 10,000 routes of mixed lengths: host routes, /24 or /64, random lengths; 3 of 4 destinations inside
/// a route, 1 of 4 anywhere, so misses that probe every length are included), the receiver's connection lookup by mux,
/// and one quiescent section (enter + leave) as every engine thread runs per batch.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private const int Destinations = 1024;

    private RouteTable _table = RouteTable.Empty;
    private List<RouteEntry> _entries = new();
    private byte[][] _packets = Array.Empty<byte[]>();
    private ConnectionTable _connections = new();
    private QuiescentReclaimer.ThreadSlot _slot = new QuiescentReclaimer().Register("bench");
    private int _next;

    [Params(1, 100, 1_000, 10_000)]
    public int Routes { get; set; }

    [Params("IPv4", "IPv6")]
    public string Family { get; set; } = "IPv4";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var v4 = Family == "IPv4";
        var entries = new List<RouteEntry>();
        for (var i = 0; i < Routes; i++)
        {
            var length = random.Next(4) switch
            {
                0 or 1 => v4 ? 32 : 128,
                2 => v4 ? 24 : 64,
                _ => random.Next(v4 ? 8 : 16, (v4 ? 32 : 128) + 1),
            };
            entries.Add(new RouteEntry(new IPPrefix(RandomAddress(random, v4), length), (ushort)random.Next(1, 1001), EntryOrigin.Cmdlet));
        }

        _entries = entries;
        _table = RouteTable.Build(entries);
        _packets = new byte[Destinations][];
        for (var i = 0; i < Destinations; i++)
        {
            var destination = i % 4 == 3 ? RandomAddress(random, v4) : Inside(random, _table.Entries[random.Next(_table.Entries.Count)].Prefix);
            var packet = new byte[v4 ? 28 : 48];
            packet[0] = (byte)(v4 ? 0x45 : 0x60);
            destination.GetAddressBytes().CopyTo(packet, v4 ? 16 : 24);
            _packets[i] = packet;
        }

        _connections = new ConnectionTable();
        for (var mux = 1; mux <= 1000; mux++)
        {
            var keys = ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, new byte[16], new byte[14]);
            _connections.AddOrGet(new Connection((ushort)mux, keys, null, 0, EntryOrigin.Cmdlet), out _);
        }

        _slot = new QuiescentReclaimer().Register("bench");
    }

    /// <summary>Longest-prefix match of one inner packet's destination.</summary>
    [Benchmark]
    public bool RouteLookup() => _table.TryLookup(_packets[_next++ & (Destinations - 1)], out _);

    /// <summary>Rebuilding the table (control plane: once per change, or once per Apply).</summary>
    [Benchmark]
    public int Rebuild() => RouteTable.Build(_entries).Count;

    /// <summary>Connection by mux in a table of 1,000 (the receiver's lookup).</summary>
    [Benchmark]
    public bool ConnectionLookup() => _connections.Find((ushort)((_next++ & 1023) + 1)) is not null;

    /// <summary>One quiescent critical section (once per batch of packets on every engine thread).</summary>
    [Benchmark]
    public void QuiescentSection()
    {
        _slot.Enter();
        _slot.Leave();
    }

    private static IPAddress RandomAddress(Random random, bool v4)
    {
        var bytes = new byte[v4 ? 4 : 16];
        random.NextBytes(bytes);
        return new IPAddress(bytes);
    }

    private static IPAddress Inside(Random random, IPPrefix prefix)
    {
        var bytes = prefix.Network.GetAddressBytes();
        for (var bit = prefix.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            if (random.Next(2) == 0)
            {
                bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }
        }

        return new IPAddress(bytes);
    }
}
