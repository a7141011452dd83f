namespace Anytun.Engine.Protocol;

/// <summary>
/// Turns inner packets into SATP datagrams in place (one per connection, single thread, no allocation).
/// The caller reads the inner packet to <c>packet[SatpPacket.InnerOffset..]</c> and leaves 20 bytes behind it.
/// </summary>
public sealed class SatpEncoder : IDisposable
{
    private readonly SatpPacketProtection _protection;

    public SatpEncoder(SatpCryptoSuite suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        _protection = new SatpPacketProtection(suite, SatpLabels.Outbound(suite.Role));
    }

    /// <summary>Tag length T this encoder appends.</summary>
    public int TagLength => _protection.TagLength;

    /// <summary>True when AES runs on AES-NI.</summary>
    public bool IsHardwareAccelerated => _protection.IsHardwareAccelerated;

    /// <summary>
    /// Writes the header and payload type, encrypts payload type ‖ inner packet in place and appends the tag.
    /// Returns the datagram length (<c>10 + innerLength + T</c>). <paramref name="packet"/> needs
    /// <see cref="SatpPacket.RequiredBufferSize"/> bytes; a shorter buffer is a caller bug and throws.
    /// </summary>
    public int Encode(Span<byte> packet, int innerLength, PayloadType type, uint seq, ushort senderId, ushort mux)
    {
        if ((uint)innerLength > (uint)(packet.Length - SatpPacket.InnerOffset - TagLength))
        {
            throw new ArgumentOutOfRangeException(nameof(innerLength), "The buffer has no room for header, inner packet and tag.");
        }

        SatpPacket.WriteHeader(packet, seq, senderId, mux);
        SatpPacket.WritePayloadType(packet, type);
        var authenticatedLength = SatpPacket.InnerOffset + innerLength;
        _protection.ApplyCipher(packet[SatpPacket.HeaderSize..authenticatedLength], seq, senderId, mux);
        _protection.ComputeTag(packet[..authenticatedLength], seq, packet.Slice(authenticatedLength, TagLength));
        return authenticatedLength + TagLength;
    }

    public void Dispose() => _protection.Dispose();
}
