namespace Anytun.Engine.Protocol;

/// <summary>
/// Checks and decrypts received SATP datagrams in place (one per connection, single thread, no allocation).
/// Bad input yields a <see cref="DropReason"/>, never an exception. Replay protection is the caller's
/// (<see cref="ReplayWindow"/>), between <see cref="Authenticate"/> and <see cref="Decrypt"/> as in anytun.
/// </summary>
public sealed class SatpDecoder : IDisposable
{
    private readonly SatpPacketProtection _protection;

    public SatpDecoder(SatpCryptoSuite suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        _protection = new SatpPacketProtection(suite, SatpLabels.Inbound(suite.Role));
    }

    /// <summary>Tag length T this decoder expects.</summary>
    public int TagLength => _protection.TagLength;

    /// <summary>True when AES runs on AES-NI.</summary>
    public bool IsHardwareAccelerated => _protection.IsHardwareAccelerated;

    /// <summary>
    /// Length check (at least 8 + T bytes) and tag check. <paramref name="header"/> is filled whenever the datagram
    /// has a full header, so the caller can log or look up the mux even for a bad tag.
    /// </summary>
    public DropReason Authenticate(ReadOnlySpan<byte> datagram, out SatpHeader header)
    {
        var tagLength = TagLength;
        if (datagram.Length < SatpPacket.HeaderSize + tagLength)
        {
            header = datagram.Length >= SatpPacket.HeaderSize ? SatpHeader.Read(datagram, tagLength) : default;
            return DropReason.TooShort;
        }

        header = SatpHeader.Read(datagram, tagLength);
        var authenticatedLength = datagram.Length - tagLength;
        return _protection.VerifyTag(datagram[..authenticatedLength], header.Sequence, datagram[authenticatedLength..])
            ? DropReason.None
            : DropReason.BadTag;
    }

    /// <summary>
    /// Decrypts an authenticated datagram in place; the inner packet ends up at <see cref="SatpPacket.InnerOffset"/>.
    /// <see cref="DropReason.EmptyPayload"/> when there is no inner packet (anytun's "zero length packets"),
    /// <see cref="DropReason.WrongPayloadType"/> for a type other than IPv4/IPv6/Ethernet (whether the type fits the
    /// device is the caller's check), <see cref="DropReason.Malformed"/> when the datagram does not match the header.
    /// </summary>
    public DropReason Decrypt(Span<byte> datagram, in SatpHeader header, out PayloadType type, out int innerLength)
    {
        type = PayloadType.Unknown;
        innerLength = 0;
        if (header.EncryptedLength < 0 || datagram.Length != SatpPacket.HeaderSize + header.EncryptedLength + TagLength)
        {
            return DropReason.Malformed;
        }

        if (header.EncryptedLength <= SatpPacket.PayloadTypeSize)
        {
            return DropReason.EmptyPayload;
        }

        var encrypted = datagram.Slice(SatpPacket.HeaderSize, header.EncryptedLength);
        _protection.ApplyCipher(encrypted, header.Sequence, header.SenderId, header.Mux);
        type = SatpPacket.ReadPayloadType(datagram);
        innerLength = header.EncryptedLength - SatpPacket.PayloadTypeSize;
        return type is PayloadType.IPv4 or PayloadType.IPv6 or PayloadType.Ethernet
            ? DropReason.None
            : DropReason.WrongPayloadType;
    }

    /// <summary><see cref="Authenticate"/> then <see cref="Decrypt"/>, without replay protection.</summary>
    public DropReason Decode(Span<byte> datagram, out SatpHeader header, out PayloadType type, out int innerLength)
    {
        var reason = Authenticate(datagram, out header);
        if (reason != DropReason.None)
        {
            type = PayloadType.Unknown;
            innerLength = 0;
            return reason;
        }

        return Decrypt(datagram, header, out type, out innerLength);
    }

    public void Dispose() => _protection.Dispose();
}
