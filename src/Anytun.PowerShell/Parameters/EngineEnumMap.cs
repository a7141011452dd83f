using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Runtime;

namespace Anytun;

/// <summary>Explicit mapping between the module's public enums and the engine's (no reliance on member order).</summary>
internal static class EngineEnumMap
{
    internal static IdleMode ToEngine(AnytunIdleMode value) => value switch
    {
        AnytunIdleMode.Cold => IdleMode.SingleThread,
        AnytunIdleMode.Pipeline => IdleMode.Pipeline,
        _ => IdleMode.SingleThreadWarm,
    };

    internal static AnytunIdleMode FromEngine(IdleMode value) => value switch
    {
        IdleMode.SingleThread => AnytunIdleMode.Cold,
        IdleMode.Pipeline => AnytunIdleMode.Pipeline,
        _ => AnytunIdleMode.Warm,
    };

    internal static DeviceType ToEngine(AnytunDeviceType value) => value == AnytunDeviceType.Tap ? DeviceType.Tap : DeviceType.Tun;

    internal static AnytunDeviceType FromEngine(DeviceType value) => value == DeviceType.Tap ? AnytunDeviceType.Tap : AnytunDeviceType.Tun;

    internal static CipherAlgorithm ToEngine(AnytunCipher value) => value switch
    {
        AnytunCipher.Null => CipherAlgorithm.Null,
        AnytunCipher.AesCtr192 => CipherAlgorithm.AesCtr192,
        AnytunCipher.AesCtr256 => CipherAlgorithm.AesCtr256,
        _ => CipherAlgorithm.AesCtr128,
    };

    internal static AnytunCipher FromEngine(CipherAlgorithm value) => value switch
    {
        CipherAlgorithm.Null => AnytunCipher.Null,
        CipherAlgorithm.AesCtr192 => AnytunCipher.AesCtr192,
        CipherAlgorithm.AesCtr256 => AnytunCipher.AesCtr256,
        _ => AnytunCipher.AesCtr128,
    };

    internal static KeyDerivationPrf ToEngine(AnytunKdPrf value) => value switch
    {
        AnytunKdPrf.Null => KeyDerivationPrf.Null,
        AnytunKdPrf.AesCtr192 => KeyDerivationPrf.AesCtr192,
        AnytunKdPrf.AesCtr256 => KeyDerivationPrf.AesCtr256,
        _ => KeyDerivationPrf.AesCtr128,
    };

    internal static AnytunKdPrf FromEngine(KeyDerivationPrf value) => value switch
    {
        KeyDerivationPrf.Null => AnytunKdPrf.Null,
        KeyDerivationPrf.AesCtr192 => AnytunKdPrf.AesCtr192,
        KeyDerivationPrf.AesCtr256 => AnytunKdPrf.AesCtr256,
        _ => AnytunKdPrf.AesCtr128,
    };

    internal static AuthAlgorithm ToEngine(AnytunAuthAlgorithm value) => value == AnytunAuthAlgorithm.Null ? AuthAlgorithm.Null : AuthAlgorithm.Sha1;

    internal static AnytunAuthAlgorithm FromEngine(AuthAlgorithm value) => value == AuthAlgorithm.Null ? AnytunAuthAlgorithm.Null : AnytunAuthAlgorithm.Sha1;

    internal static Role ToEngine(AnytunRole value) => value == AnytunRole.Right ? Role.Right : Role.Left;

    internal static AnytunRole FromEngine(Role value) => value == Role.Right ? AnytunRole.Right : AnytunRole.Left;

    internal static AddressFamilyPreference ToEngine(AnytunAddressFamily? value) => value switch
    {
        AnytunAddressFamily.IPv4 => AddressFamilyPreference.IPv4Only,
        AnytunAddressFamily.IPv6 => AddressFamilyPreference.IPv6Only,
        _ => AddressFamilyPreference.Any,
    };

    internal static AnytunAddressFamily? FromEngine(AddressFamilyPreference value) => value switch
    {
        AddressFamilyPreference.IPv4Only => AnytunAddressFamily.IPv4,
        AddressFamilyPreference.IPv6Only => AnytunAddressFamily.IPv6,
        _ => null,
    };

    internal static AnytunEntryOrigin FromEngine(EntryOrigin value) => value switch
    {
        EntryOrigin.CommandLine => AnytunEntryOrigin.CommandLine,
        EntryOrigin.Learned => AnytunEntryOrigin.Learned,
        EntryOrigin.ControlHost => AnytunEntryOrigin.ControlHost,
        EntryOrigin.Sync => AnytunEntryOrigin.Sync,
        EntryOrigin.Import => AnytunEntryOrigin.Import,
        _ => AnytunEntryOrigin.Cmdlet,
    };
}
