using System.Runtime.CompilerServices;
using System.Buffers.Binary;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Device;

/// <summary>
/// struct virtio_net_hdr (10 bytes, little-endian on the hosts .NET runs on) that a tun device opened with IFF_VNET_HDR puts
/// in front of every packet: it says whether the packet still needs its checksum and whether it is a TSO/USO super-packet.
/// </summary>
internal readonly struct VirtioNetHeader
{
    public const int Size = 10;
    public const byte FlagNeedsChecksum = 1;
    public const byte GsoNone = 0;
    public const byte GsoTcpV4 = 1;
    public const byte GsoUdp = 3;
    public const byte GsoTcpV6 = 4;
    public const byte GsoUdpL4 = 5;
    public const byte GsoEcn = 0x80;

    public VirtioNetHeader(byte flags, byte gsoType, ushort headerLength, ushort gsoSize, ushort checksumStart, ushort checksumOffset)
    {
        Flags = flags;
        GsoType = gsoType;
        HeaderLength = headerLength;
        GsoSize = gsoSize;
        ChecksumStart = checksumStart;
        ChecksumOffset = checksumOffset;
    }

    public byte Flags { get; }

    public byte GsoType { get; }

    public ushort HeaderLength { get; }

    public ushort GsoSize { get; }

    public ushort ChecksumStart { get; }

    public ushort ChecksumOffset { get; }

    public bool NeedsChecksum => (Flags & FlagNeedsChecksum) != 0;

    /// <summary>The GSO kind without the ECN bit.</summary>
    public byte GsoKind => (byte)(GsoType & ~GsoEcn);

    [MethodImpl(PacketPath.Hot)]
    public static VirtioNetHeader Read(ReadOnlySpan<byte> source) => new(
        source[0],
        source[1],
        BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[8..]));

    public void Write(Span<byte> destination)
    {
        destination[0] = Flags;
        destination[1] = GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], ChecksumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], ChecksumOffset);
    }
}
