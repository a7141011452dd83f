using Anytun.Engine.Configuration;

namespace Anytun.Engine.Protocol;

/// <summary>
/// Labels per role (first 4 bytes of SHA-1("1".."6")). A side sends with its own role's labels and receives with
/// the other role's, which is why both peers must have opposite roles.
/// </summary>
internal static class SatpLabels
{
    public static readonly SatpLabelSet Left = new(0x356A192B, 0x77DE68DA, 0xAC3478D6);
    public static readonly SatpLabelSet Right = new(0xDA4B9237, 0x1B645389, 0xC1DFD96E);

    /// <summary>Labels of packets sent by a side with role <paramref name="role"/>.</summary>
    public static SatpLabelSet Outbound(Role role) => role == Role.Left ? Left : Right;

    /// <summary>Labels of packets received by a side with role <paramref name="role"/>.</summary>
    public static SatpLabelSet Inbound(Role role) => role == Role.Left ? Right : Left;
}
