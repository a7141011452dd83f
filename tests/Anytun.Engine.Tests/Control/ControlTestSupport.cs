using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Crypto;
using Anytun.Engine.Device;
using Anytun.Engine.Routing;
using Anytun.Engine.Runtime;

namespace Anytun.Engine.Tests.Control;

internal static class ControlTestSupport
{
    public const string Key = "0123456789abcdef0123456789abcdef";
    public const string Salt = "0123456789abcdef0123456789ab";

    /// <summary>A tunnel that is created but not started: its control surface works already.</summary>
    public static Tunnel Created(string arguments = "-i 127.0.0.1 -p 0", DeviceType kind = DeviceType.Tun)
    {
        using var options = AnytunCommandLine.ParseCommandLine($"{arguments} -K {Key} -A {Salt}");
        return Tunnel.Create(options, device: new ChannelPacketDevice(kind == DeviceType.Tap ? "tapctl" : "tunctl", kind));
    }

    public static ConnectionSpec Spec(ushort mux, string? remote = null, string? passphrase = null, Role? role = null, params string[] routes)
    {
        var spec = new ConnectionSpec(mux) { RemoteHost = remote, Role = role };
        if (passphrase is not null)
        {
            spec.Passphrase = SecretBytes.FromUtf8(passphrase);
        }

        if (routes.Length > 0)
        {
            spec.Routes = routes.Select(IPPrefix.Parse).ToList();
        }

        return spec;
    }

    /// <summary>A desired configuration of <paramref name="count"/> connections (mux 1..count), each with a /32 route.</summary>
    public static TunnelConfiguration Desired(int count, Func<int, string?>? passphrase = null)
    {
        var configuration = new TunnelConfiguration();
        for (var i = 1; i <= count; i++)
        {
            configuration.Connections.Add(Spec((ushort)i, $"127.0.0.{1 + (i % 200)}", passphrase?.Invoke(i), null, $"10.1.{i / 256}.{i % 256}/32"));
        }

        return configuration;
    }
}
