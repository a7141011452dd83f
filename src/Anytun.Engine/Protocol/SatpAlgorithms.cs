using Anytun.Engine.Configuration;

namespace Anytun.Engine.Protocol;

/// <summary>
/// The tunnel-wide half of the SATP crypto (anytun has them per process, and they are not signalled on the wire):
/// cipher, auth algorithm, the default kd-prf and the effective tag length. Immutable, no secrets. The per-connection
/// half (role, master key and salt) is <see cref="Connections.ConnectionKeys"/>.
/// </summary>
public sealed class SatpAlgorithms
{
    /// <summary>Applies anytun's post-processing: the null kd-prf when cipher and auth are null, tag length 0 for null
    /// auth and clamped to 20.</summary>
    public SatpAlgorithms(CipherAlgorithm cipher, AuthAlgorithm auth, KeyDerivationPrf kdPrf, int tagLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tagLength);
        Cipher = cipher;
        Auth = auth;
        KdPrf = cipher == CipherAlgorithm.Null && auth == AuthAlgorithm.Null ? KeyDerivationPrf.Null : kdPrf;
        TagLength = auth == AuthAlgorithm.Null ? 0 : Math.Min(tagLength, SatpPacket.MaxTagSize);
    }

    public CipherAlgorithm Cipher { get; }

    public AuthAlgorithm Auth { get; }

    /// <summary>Effective kd-prf for connections that do not bring their own (null when cipher and auth are null).</summary>
    public KeyDerivationPrf KdPrf { get; }

    /// <summary>Effective tag length T on the wire (0..20).</summary>
    public int TagLength { get; }

    /// <summary>Datagram overhead on top of the inner packet: header + payload type + tag.</summary>
    public int Overhead => SatpPacket.InnerOffset + TagLength;

    public static SatpAlgorithms FromOptions(TunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SatpAlgorithms(options.Cipher, options.Auth, options.EffectiveKdPrf, options.EffectiveTagLength);
    }

    public override string ToString() =>
        $"cipher {AlgorithmNames.ToName(Cipher)}, auth {AlgorithmNames.ToName(Auth)}, kd-prf {AlgorithmNames.ToName(KdPrf)}, tag {TagLength}";
}
