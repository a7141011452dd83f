using Anytun.Engine.Configuration;

namespace Anytun;

/// <summary>
/// Engine errors name anytun options ("-K/--key"); users of New-/Start-AnytunTunnel typed PowerShell
/// parameters (-Key). This maps one to the other so the error names what the user actually typed.
/// </summary>
internal static class ParameterNameMap
{
    private static readonly Dictionary<string, string> OptionToParameter = new(StringComparer.Ordinal)
    {
        [OptionNames.Type] = "DeviceType",
        [OptionNames.Device] = "DeviceName",
        [OptionNames.IfConfig] = "InterfaceAddress",
        [OptionNames.PostUpScript] = "PostUpScript",
        [OptionNames.Interface] = "LocalAddress",
        [OptionNames.Port] = "LocalPort",
        [OptionNames.RemoteHost] = "RemoteAddress",
        [OptionNames.RemotePort] = "RemotePort",
        [OptionNames.IPv4Only] = "AddressFamily",
        [OptionNames.IPv6Only] = "AddressFamily",
        [OptionNames.Mux] = "Mux",
        [OptionNames.SenderId] = "SenderId",
        [OptionNames.WindowSize] = "WindowSize",
        [OptionNames.KdPrf] = "KdPrf",
        [OptionNames.Role] = "Role",
        [OptionNames.Passphrase] = "Passphrase",
        [OptionNames.Key] = "Key",
        [OptionNames.Salt] = "Salt",
        [OptionNames.Cipher] = "Cipher",
        [OptionNames.AuthAlgo] = "AuthAlgorithm",
        [OptionNames.AuthTagLength] = "AuthTagLength",
        [OptionNames.Route] = "Route",
    };

    /// <summary>Every anytun option named in <paramref name="message"/> replaced by its parameter ("give -E/--passphrase" → "give -Passphrase").</summary>
    internal static string Rewrite(string message)
    {
        foreach (var (option, parameter) in OptionToParameter)
        {
            message = message.Replace(option, "-" + parameter, StringComparison.Ordinal);
        }

        return message;
    }

    /// <summary>"-K/--key" → "-Key"; unknown targets are returned unchanged.</summary>
    internal static string? ToParameter(string? option) =>
        option is not null && OptionToParameter.TryGetValue(option, out var parameter) ? "-" + parameter : option;
}
