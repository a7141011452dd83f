namespace Anytun.Engine.Runtime;

/// <summary>
/// Which kernel offloads the packet path asks for. All on by default; the environment variable ANYTUN_OFFLOADS switches
/// them: "0"/"none" = all off (the plain one-packet-per-system-call path), or a comma list of "tun" (IFF_VNET_HDR with
/// TSO/USO/checksum offload, on tun and tap devices), "gso" (UDP_SEGMENT sends), "gro" (UDP_GRO receives), "batch" (sendmmsg batching), "coalesce" (merge received TCP segments into one tun write; needs tun and gro).
/// Every offload falls back by itself when the kernel refuses it; none changes a byte on the wire.
/// </summary>
internal sealed class OffloadSettings
{
    public const string EnvironmentVariable = "ANYTUN_OFFLOADS";

    public static readonly OffloadSettings All = new(tun: true, gso: true, gro: true, batch: true, coalesce: true);

    public static readonly OffloadSettings None = new(tun: false, gso: false, gro: false, batch: false, coalesce: false);

    public OffloadSettings(bool tun, bool gso, bool gro, bool batch, bool coalesce)
    {
        Coalesce = coalesce;
        TunOffload = tun;
        UdpGso = gso;
        UdpGro = gro;
        Batch = batch || gso;
    }

    /// <summary>IFF_VNET_HDR + TUNSETOFFLOAD (tun and tap): the kernel hands over TSO/USO super-packets the engine segments.</summary>
    public bool TunOffload { get; }

    /// <summary>Send a run of equal-sized datagrams with one sendmsg(UDP_SEGMENT).</summary>
    public bool UdpGso { get; }

    /// <summary>Receive runs of datagrams with one recvmsg (UDP_GRO).</summary>
    public bool UdpGro { get; }

    /// <summary>Read every packet waiting on the device before sending (sendmmsg or GSO).</summary>
    public bool Batch { get; }

    /// <summary>Merge in-order TCP segments received in one GRO run into one tun write (needs tun offload and UDP GRO).</summary>
    public bool Coalesce { get; }

    public static OffloadSettings FromEnvironment() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static OffloadSettings Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return All;
        }

        var text = value.Trim().ToLowerInvariant();
        switch (text)
        {
            case "1":
            case "all":
            case "on":
                return All;
            case "0":
            case "none":
            case "off":
                return None;
        }

        bool tun = false, gso = false, gro = false, batch = false, coalesce = false;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part)
            {
                case "tun": tun = true; break;
                case "gso": gso = true; break;
                case "gro": gro = true; break;
                case "batch": batch = true; break;
                case "coalesce": coalesce = true; break;
            }
        }

        return new OffloadSettings(tun, gso, gro, batch, coalesce);
    }

    public override string ToString() =>
        $"tun={(TunOffload ? "on" : "off")} gso={(UdpGso ? "on" : "off")} gro={(UdpGro ? "on" : "off")} batch={(Batch ? "on" : "off")} coalesce={(Coalesce ? "on" : "off")}";
}
