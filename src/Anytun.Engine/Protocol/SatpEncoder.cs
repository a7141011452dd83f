using Anytun.Engine.Connections;

namespace Anytun.Engine.Protocol;

/// <summary>
/// Turns inner packets into SATP datagrams in place, with the keys of the connection each packet goes to.
/// One per engine thread (it owns scratch and a session-key cipher; only one thread may use it at a time); no
/// allocation. The caller reads the inner packet to <c>packet[SatpPacket.InnerOffset..]</c> and leaves 20 bytes behind it.
/// After <see cref="Dispose"/> it never encrypts again: <see cref="Encode(Span{byte}, int, PayloadType, uint, ushort, ushort, ConnectionKeys)"/> throws.
/// </summary>
public sealed class SatpEncoder : IDisposable
{
    private readonly SatpPacketProtection _protection;
    private readonly ConnectionKeys? _defaultKeys;

    /// <summary>An encoder for the engine: every call names the connection's keys.</summary>
    public SatpEncoder(SatpAlgorithms algorithms)
        : this(algorithms, null)
    {
    }

    /// <summary>An encoder whose keys-less <see cref="Encode(Span{byte}, int, PayloadType, uint, ushort, ushort)"/> uses
    /// <paramref name="defaultKeys"/> (tests, benchmarks, one-connection tools). The caller keeps owning the keys.</summary>
    public SatpEncoder(SatpAlgorithms algorithms, ConnectionKeys? defaultKeys)
    {
        ArgumentNullException.ThrowIfNull(algorithms);
        _protection = new SatpPacketProtection(algorithms, outbound: true);
        _defaultKeys = defaultKeys;
    }

    /// <summary>Tag length T this encoder appends.</summary>
    public int TagLength => _protection.TagLength;

    /// <summary>True when AES runs on AES-NI.</summary>
    public bool IsHardwareAccelerated => _protection.IsHardwareAccelerated;

    /// <summary>True once disposed: nothing is encrypted any more.</summary>
    public bool IsDisposed => _protection.IsDisposed;

    /// <summary>
    /// Writes the header and payload type, encrypts payload type ‖ inner packet in place with <paramref name="keys"/>
    /// (outbound labels of their role) and appends the tag. Returns the datagram length (<c>10 + innerLength + T</c>).
    /// <paramref name="packet"/> needs <see cref="SatpPacket.RequiredBufferSize"/> bytes; a shorter buffer is a caller bug
    /// and throws.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The encoder or the keys were disposed.</exception>
    public int Encode(Span<byte> packet, int innerLength, PayloadType type, uint seq, ushort senderId, ushort mux, ConnectionKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ObjectDisposedException.ThrowIf(_protection.IsDisposed, this);
        ObjectDisposedException.ThrowIf(keys.IsDisposed, keys);
        if ((uint)innerLength > (uint)(packet.Length - SatpPacket.InnerOffset - TagLength))
        {
            throw new ArgumentOutOfRangeException(nameof(innerLength), "The buffer has no room for header, inner packet and tag.");
        }

        SatpPacket.WriteHeader(packet, seq, senderId, mux);
        SatpPacket.WritePayloadType(packet, type);
        var authenticatedLength = SatpPacket.InnerOffset + innerLength;
        _protection.ApplyCipher(keys, packet[SatpPacket.HeaderSize..authenticatedLength], seq, senderId, mux);
        _protection.ComputeTag(keys, packet[..authenticatedLength], seq, packet.Slice(authenticatedLength, TagLength));
        return authenticatedLength + TagLength;
    }

    /// <summary><see cref="Encode(Span{byte}, int, PayloadType, uint, ushort, ushort, ConnectionKeys)"/> with the default keys.</summary>
    public int Encode(Span<byte> packet, int innerLength, PayloadType type, uint seq, ushort senderId, ushort mux) =>
        Encode(packet, innerLength, type, seq, senderId, mux, _defaultKeys ?? throw new InvalidOperationException("This encoder has no default keys."));

    /// <summary>Drops this thread's copy of retired keys (portable AES path); engine threads call it when idle.</summary>
    internal void ForgetRetiredKeys() => _protection.ForgetRetiredKeys();

    public void Dispose() => _protection.Dispose();
}
