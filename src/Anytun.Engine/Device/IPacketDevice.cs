using Anytun.Engine.Configuration;

namespace Anytun.Engine.Device;

/// <summary>A layer-3 (tun) or layer-2 (tap) packet device. One reader thread and one writer thread may use it at once.</summary>
public interface IPacketDevice : IDisposable
{
    /// <summary>The actual interface name.</summary>
    string Name { get; }

    DeviceType Kind { get; }

    int Mtu { get; }

    /// <summary>Blocks until a packet arrives and copies it into <paramref name="buffer"/>; returns 0 once the device is closed.</summary>
    int Read(Span<byte> buffer);

    /// <summary>Writes exactly one packet; throws on failure.</summary>
    void Write(ReadOnlySpan<byte> packet);

    /// <summary>Writes exactly one packet; returns false instead of throwing (the packet path counts it as a drop).</summary>
    bool TryWrite(ReadOnlySpan<byte> packet);
}
