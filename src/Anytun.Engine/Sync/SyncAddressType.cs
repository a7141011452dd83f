namespace Anytun.Engine.Sync;

/// <summary>The address type of a route command on the wire (anytun's <c>network_address_type_t</c>).</summary>
public enum SyncAddressType
{
    IPv4 = 0,
    IPv6 = 1,

    /// <summary>A MAC address carried as one decimal 64-bit integer; anytun stores such routes but never uses them.</summary>
    Ethernet = 2,
}
