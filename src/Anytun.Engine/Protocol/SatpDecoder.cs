using Anytun.Engine.Connections;

namespace Anytun.Engine.Protocol;

/// <summary>
/// Checks and decrypts received SATP datagrams in place with the keys of the connection the header's mux names.
/// One per engine thread (it owns scratch; only one thread may use it at a time); no allocation.
/// Bad input yields a <see cref="DropReason"/>, never an exception. Replay protection is the caller's
/// (<see cref="ReplayWindow"/>), between <see cref="Authenticate(ReadOnlySpan{byte}, ConnectionKeys, out SatpHeader)"/> and
/// <see cref="Decrypt(Span{byte}, in SatpHeader, ConnectionKeys, out PayloadType, out int)"/> as in anytun.
/// </summary>
public sealed class SatpDecoder : IDisposable
{
    private readonly SatpPacketProtection _protection;
    private readonly ConnectionKeys? _defaultKeys;

    /// <summary>A decoder for the engine: every call names the connection's keys.</summary>
    public SatpDecoder(SatpAlgorithms algorithms)
        : this(algorithms, null)
    {
    }

    /// <summary>A decoder whose keys-less methods use <paramref name="defaultKeys"/> (tests, benchmarks). The caller keeps
    /// owning the keys.</summary>
    public SatpDecoder(SatpAlgorithms algorithms, ConnectionKeys? defaultKeys)
    {
        ArgumentNullException.ThrowIfNull(algorithms);
        _protection = new SatpPacketProtection(algorithms, outbound: false);
        _defaultKeys = defaultKeys;
    }

    /// <summary>Tag length T this decoder expects.</summary>
    public int TagLength => _protection.TagLength;

    /// <summary>True when AES runs on AES-NI.</summary>
    public bool IsHardwareAccelerated => _protection.IsHardwareAccelerated;

    /// <summary>
    /// Length check (at least 8 + T bytes) and tag check with <paramref name="keys"/> (inbound labels of their role).
    /// <paramref name="header"/> is filled whenever the datagram has a full header, so the caller can log or look up the
    /// mux even for a bad tag.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The decoder or the keys were disposed (a caller bug, never bad input).</exception>
    public DropReason Authenticate(ReadOnlySpan<byte> datagram, ConnectionKeys keys, out SatpHeader header)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ObjectDisposedException.ThrowIf(_protection.IsDisposed, this);
        var tagLength = TagLength;
        if (datagram.Length < SatpPacket.HeaderSize + tagLength)
        {
            header = datagram.Length >= SatpPacket.HeaderSize ? SatpHeader.Read(datagram, tagLength) : default;
            return DropReason.TooShort;
        }

        header = SatpHeader.Read(datagram, tagLength);
        var authenticatedLength = datagram.Length - tagLength;
        return _protection.VerifyTag(keys, datagram[..authenticatedLength], header.Sequence, datagram[authenticatedLength..])
            ? DropReason.None
            : DropReason.BadTag;
    }

    /// <summary>
    /// Decrypts an authenticated datagram in place; the inner packet ends up at <see cref="SatpPacket.InnerOffset"/>.
    /// <see cref="DropReason.EmptyPayload"/> when there is no inner packet (anytun's "zero length packets"),
    /// <see cref="DropReason.WrongPayloadType"/> for a type other than IPv4/IPv6/Ethernet (whether the type fits the
    /// device is the caller's check), <see cref="DropReason.Malformed"/> when the datagram does not match the header.
    /// </summary>
    public DropReason Decrypt(Span<byte> datagram, in SatpHeader header, ConnectionKeys keys, out PayloadType type, out int innerLength)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ObjectDisposedException.ThrowIf(_protection.IsDisposed, this);
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
        _protection.ApplyCipher(keys, encrypted, header.Sequence, header.SenderId, header.Mux);
        type = SatpPacket.ReadPayloadType(datagram);
        innerLength = header.EncryptedLength - SatpPacket.PayloadTypeSize;
        return type is PayloadType.IPv4 or PayloadType.IPv6 or PayloadType.Ethernet
            ? DropReason.None
            : DropReason.WrongPayloadType;
    }

    /// <summary>Authenticate, then Decrypt with the same keys, without replay protection.</summary>
    public DropReason Decode(Span<byte> datagram, ConnectionKeys keys, out SatpHeader header, out PayloadType type, out int innerLength)
    {
        var reason = Authenticate(datagram, keys, out header);
        if (reason != DropReason.None)
        {
            type = PayloadType.Unknown;
            innerLength = 0;
            return reason;
        }

        return Decrypt(datagram, header, keys, out type, out innerLength);
    }

    /// <summary><see cref="Authenticate(ReadOnlySpan{byte}, ConnectionKeys, out SatpHeader)"/> with the default keys.</summary>
    public DropReason Authenticate(ReadOnlySpan<byte> datagram, out SatpHeader header) => Authenticate(datagram, DefaultKeys, out header);

    /// <summary><see cref="Decrypt(Span{byte}, in SatpHeader, ConnectionKeys, out PayloadType, out int)"/> with the default keys.</summary>
    public DropReason Decrypt(Span<byte> datagram, in SatpHeader header, out PayloadType type, out int innerLength) =>
        Decrypt(datagram, header, DefaultKeys, out type, out innerLength);

    /// <summary><see cref="Decode(Span{byte}, ConnectionKeys, out SatpHeader, out PayloadType, out int)"/> with the default keys.</summary>
    public DropReason Decode(Span<byte> datagram, out SatpHeader header, out PayloadType type, out int innerLength) =>
        Decode(datagram, DefaultKeys, out header, out type, out innerLength);

    /// <summary>Drops this thread's copy of retired keys (portable AES path); engine threads call it when idle.</summary>
    internal void ForgetRetiredKeys() => _protection.ForgetRetiredKeys();

    public void Dispose() => _protection.Dispose();

    private ConnectionKeys DefaultKeys => _defaultKeys ?? throw new InvalidOperationException("This decoder has no default keys.");
}
