using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Routing;

/// <summary>
/// An immutable longest-prefix-match table (IPv4 and IPv6 prefix → mux), rebuilt by the control surface and swapped
/// by reference; the sender threads read it without a lock and without allocating.
/// Per family it holds one open-addressing hash table per distinct prefix length, longest first: a lookup masks the
/// destination for each length and probes until the first hit (a table of host routes plus a few networks is 2-3
/// probes). With more than a few distinct lengths, a 65,536-entry index by the destination's first 16 bits lists the
/// lengths that have a prefix in (or covering) that block, so a lookup probes only those, typically one or two. Lengths
/// whose last octet is partial (/25, /1, /31) are ordinary masks here; anytun's octet loop hangs on them (spec §1.5).
/// </summary>
internal sealed class RouteTable
{
    /// <summary>The table without routes.</summary>
    public static readonly RouteTable Empty = new(Array.Empty<RouteEntry>());

    private readonly Family _v4;
    private readonly Family _v6;

    private RouteTable(IReadOnlyList<RouteEntry> entries)
    {
        Entries = entries;
        var v4 = new List<RouteEntry>();
        var v6 = new List<RouteEntry>();
        foreach (var entry in entries)
        {
            (entry.Prefix.IsIPv4 ? v4 : v6).Add(entry);
        }

        _v4 = new Family(v4, 32);
        _v6 = new Family(v6, 128);
    }

    /// <summary>The routes, in anytun's dump order (IPv4, IPv6; each by length, then address).</summary>
    public IReadOnlyList<RouteEntry> Entries { get; }

    public int Count => Entries.Count;

    /// <summary>Builds a table; a prefix given twice keeps the last entry.</summary>
    public static RouteTable Build(IEnumerable<RouteEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byPrefix = new Dictionary<IPPrefix, RouteEntry>();
        foreach (var entry in entries)
        {
            byPrefix[entry.Prefix] = entry;
        }

        if (byPrefix.Count == 0)
        {
            return Empty;
        }

        var sorted = byPrefix.Values.ToArray();
        Array.Sort(sorted, static (a, b) => a.Prefix.CompareTo(b.Prefix));
        return new RouteTable(sorted);
    }

    /// <summary>
    /// The mux for the destination of an inner IP packet (IPv4 bytes 16..19, IPv6 bytes 24..39); false when the packet
    /// is not IPv4/IPv6, too short, or no prefix contains the destination.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(ReadOnlySpan<byte> innerPacket, out ushort mux)
    {
        if (innerPacket.Length >= 20 && innerPacket[0] >> 4 == 4)
        {
            return TryLookupV4(BinaryPrimitives.ReadUInt32BigEndian(innerPacket[16..]), out mux);
        }

        if (innerPacket.Length >= 40 && innerPacket[0] >> 4 == 6)
        {
            return TryLookupV6(BinaryPrimitives.ReadUInt128BigEndian(innerPacket[24..]), out mux);
        }

        mux = 0;
        return false;
    }

    /// <summary>Longest match for an IPv4 address (host-order number).</summary>
    public bool TryLookupV4(uint destination, out ushort mux) => Lookup(_v4, destination, out mux);

    /// <summary>Longest match for an IPv6 address (big-endian 128-bit number).</summary>
    public bool TryLookupV6(UInt128 destination, out ushort mux) => Lookup(_v6, destination, out mux);

    /// <summary>Probes the family's levels (longest first), or only those its block index lists for the destination.</summary>
    [MethodImpl(PacketPath.Hot)]
    private static bool Lookup(Family family, UInt128 destination, out ushort mux)
    {
        var levels = family.Levels;
        if (family.Blocks is { } blocks)
        {
            var block = (int)(destination >> family.BlockShift);
            for (var j = blocks.Start[block]; j < blocks.Start[block + 1]; j++)
            {
                if (Probe(in levels[blocks.Levels[j]], destination, out mux))
                {
                    return true;
                }
            }
        }
        else
        {
            for (var i = 0; i < levels.Length; i++)
            {
                if (Probe(in levels[i], destination, out mux))
                {
                    return true;
                }
            }
        }

        mux = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Probe(in Level level, UInt128 destination, out ushort mux)
    {
        var key = destination & level.Mask;
        var slot = (int)(Hash(key) >> level.Shift);
        while (true)
        {
            var value = level.Values[slot];
            if (value < 0)
            {
                mux = 0;
                return false;
            }

            if (level.Keys[slot] == key)
            {
                mux = (ushort)value;
                return true;
            }

            slot = (slot + 1) & level.SlotMask;
        }
    }

    // Fibonacci hashing of the folded key: the high bits of the product are well mixed, so the slot comes from the top.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(UInt128 key) => ((ulong)(key >> 64) ^ BitOperations.RotateLeft((ulong)key, 31)) * 0x9E3779B97F4A7C15UL;

    /// <summary>The hash tables of one address family, longest prefix length first, and the block index over them.
    /// Addresses are 128-bit numbers (IPv4 in the low 32 bits).</summary>
    private sealed class Family
    {
        /// <summary>Up to this many lengths, probing them all is as cheap as the index.</summary>
        private const int LevelsWithoutIndex = 4;

        public Family(List<RouteEntry> entries, int bits)
        {
            BlockShift = bits - 16;
            var byLength = new SortedDictionary<int, List<RouteEntry>>(Comparer<int>.Create(static (a, b) => b.CompareTo(a)));
            foreach (var entry in entries)
            {
                if (!byLength.TryGetValue(entry.Prefix.PrefixLength, out var list))
                {
                    byLength[entry.Prefix.PrefixLength] = list = new List<RouteEntry>();
                }

                list.Add(entry);
            }

            Levels = new Level[byLength.Count];
            var lists = new List<RouteEntry>[byLength.Count];
            var index = 0;
            foreach (var (length, list) in byLength)
            {
                lists[index] = list;
                Levels[index++] = Level.Create(length, bits, list);
            }

            if (Levels.Length > LevelsWithoutIndex)
            {
                Blocks = BlockIndex.Build(lists, BlockShift);
            }
        }

        public Level[] Levels { get; }

        /// <summary>Shift that leaves an address's first 16 bits.</summary>
        public int BlockShift { get; }

        /// <summary>Null when there are only a few lengths.</summary>
        public BlockIndex? Blocks { get; }
    }

    /// <summary>
    /// For each 16-bit block of the address space (the destination's first 16 bits), the levels (longest first) with a
    /// prefix inside the block or covering it. A prefix of length L ≥ 16 lies in one block; a shorter one covers
    /// 2^(16 − L) blocks, so the index has at most 17 × 65,536 entries whatever the routes.
    /// </summary>
    private sealed class BlockIndex
    {
        private const int BlockCount = 1 << 16;

        private BlockIndex(int[] start, byte[] levels)
        {
            Start = start;
            Levels = levels;
        }

        /// <summary>Block b's levels are Levels[Start[b] .. Start[b + 1]).</summary>
        public int[] Start { get; }

        public byte[] Levels { get; }

        /// <summary><paramref name="lists"/>: the entries of each level, in level order (longest first).</summary>
        public static BlockIndex Build(List<RouteEntry>[] lists, int blockShift)
        {
            var start = new int[BlockCount + 1];
            var last = ArrayPool<int>.Shared.Rent(BlockCount);
            var fill = ArrayPool<int>.Shared.Rent(BlockCount);
            try
            {
                Array.Fill(last, -1, 0, BlockCount);
                ForEachBlock(lists, blockShift, last, block => start[block + 1]++);
                for (var b = 0; b < BlockCount; b++)
                {
                    start[b + 1] += start[b];
                }

                var levels = new byte[start[BlockCount]];
                Array.Copy(start, fill, BlockCount);
                Array.Fill(last, -1, 0, BlockCount);
                var level = 0;
                ForEachBlock(lists, blockShift, last, block => levels[fill[block]++] = (byte)level, l => level = l);
                return new BlockIndex(start, levels);
            }
            finally
            {
                ArrayPool<int>.Shared.Return(last);
                ArrayPool<int>.Shared.Return(fill);
            }
        }

        // Calls 'add' once per (level, block) pair a prefix of the level touches, levels in order.
        private static void ForEachBlock(List<RouteEntry>[] lists, int blockShift, int[] last, Action<int> add, Action<int>? levelStarts = null)
        {
            for (var level = 0; level < lists.Length; level++)
            {
                levelStarts?.Invoke(level);
                foreach (var entry in lists[level])
                {
                    var prefix = entry.Prefix;
                    var first = (int)(prefix.NetworkNumber >> blockShift);
                    var count = prefix.PrefixLength >= 16 ? 1 : 1 << (16 - prefix.PrefixLength);
                    for (var block = first; block < first + count; block++)
                    {
                        if (last[block] != level)
                        {
                            last[block] = level;
                            add(block);
                        }
                    }
                }
            }
        }
    }

    /// <summary>One prefix length: masked networks in an open-addressing table (linear probing, at most half full).</summary>
    private readonly struct Level
    {
        private Level(UInt128 mask, int shift, UInt128[] keys, int[] values)
        {
            Mask = mask;
            Shift = shift;
            Keys = keys;
            Values = values;
            SlotMask = keys.Length - 1;
        }

        /// <summary>The network mask of this length (IPv4 in the low 32 bits).</summary>
        public UInt128 Mask { get; }

        /// <summary>64 − log2(slots): the hash's top bits select the slot.</summary>
        public int Shift { get; }

        public UInt128[] Keys { get; }

        /// <summary>The mux of each slot, or -1 when the slot is empty.</summary>
        public int[] Values { get; }

        public int SlotMask { get; }

        public static Level Create(int length, int bits, List<RouteEntry> entries)
        {
            var slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, entries.Count * 2));
            var shift = 64 - BitOperations.Log2((uint)slots);
            var keys = new UInt128[slots];
            var values = new int[slots];
            Array.Fill(values, -1);
            foreach (var entry in entries)
            {
                var key = entry.Prefix.NetworkNumber;
                var slot = (int)(Hash(key) >> shift);
                while (values[slot] >= 0)
                {
                    slot = (slot + 1) & (slots - 1);
                }

                keys[slot] = key;
                values[slot] = entry.Mux;
            }

            return new Level(IPPrefix.Mask(UInt128.MaxValue, length, bits), shift, keys, values);
        }
    }
}
