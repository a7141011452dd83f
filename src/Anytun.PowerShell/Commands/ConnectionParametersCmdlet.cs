using System.Management.Automation;
using System.Security;
using Anytun.Engine;
using Anytun.Engine.Configuration;
using Anytun.Engine.Control;
using Anytun.Engine.Crypto;

namespace Anytun;

/// <summary>
/// The connection settings shared by Add-AnytunConnection and Set-AnytunConnection (declared once, so they mean the
/// same on both): remote, role, kd-prf, window size, key material and routes. An omitted setting is the tunnel's
/// default when adding and the current value when changing.
/// </summary>
public abstract class ConnectionParametersCmdlet : NamedTunnelControlCmdlet
{
    /// <summary>Parameter set of the setting parameters.</summary>
    protected const string ByParameters = "ByParameters";

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("remote-host")]
    [ValidateNotNullOrEmpty]
    public string? RemoteAddress { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("remote-port")]
    [ValidateRange(1, 65535)]
    public int? RemotePort { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [AnytunChoiceTransformation]
    public AnytunRole? Role { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("kd-prf")]
    [AnytunChoiceTransformation]
    public AnytunKdPrf? KdPrf { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("window-size")]
    public uint? WindowSize { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [SecureStringTransformation]
    public SecureString? Passphrase { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [HexBytesTransformation]
    [ValidateNotNullOrEmpty]
    public byte[]? Key { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [HexBytesTransformation]
    [ValidateNotNullOrEmpty]
    public byte[]? Salt { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("Routes")]
    [AllowEmptyCollection]
    [ValidateNotNull]
    public string[]? Route { get; set; }

    [Parameter]
    public SwitchParameter NoKernelRoute { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// A request for connection <paramref name="mux"/> from the bound settings (the caller disposes it). A bad -Route or
    /// key setting is a terminating error: nothing was changed yet. <paramref name="currentRemoteHost"/> is the host a
    /// lone -RemotePort applies to.
    /// </summary>
    protected ConnectionSpec BuildSpec(ushort mux, string? currentRemoteHost)
    {
        var routes = Route is null ? null : PrefixParameters.ParseAll(this, Route, nameof(Route));
        var spec = new ConnectionSpec(mux)
        {
            Role = Role is { } role ? EngineEnumMap.ToEngine(role) : null,
            KdPrf = KdPrf is { } kdPrf ? EngineEnumMap.ToEngine(kdPrf) : null,
            WindowSize = WindowSize,
            Routes = routes,
        };
        try
        {
            if (RemoteAddress is not null)
            {
                spec.RemoteHost = RemoteAddress;
                spec.RemotePort = RemotePort ?? TunnelOptions.DefaultPort;
            }
            else if (RemotePort is { } port)
            {
                spec.RemoteHost = currentRemoteHost ?? throw new AnytunException(
                    AnytunErrorCode.InvalidOption,
                    $"-RemotePort {port} needs -RemoteAddress: connection {mux} has no configured remote host.",
                    "-RemotePort");
                spec.RemotePort = port;
            }

            if (Passphrase is not null)
            {
                spec.Passphrase = SecretParameters.FromSecureString(Passphrase, out var endsWithLineBreak);
                if (endsWithLineBreak)
                {
                    WriteWarning(SecretParameters.PassphraseLineBreakWarning);
                }
            }

            spec.Key = Key is null ? null : SecretBytes.FromBytes(Key);
            spec.Salt = Salt is null ? null : SecretBytes.FromBytes(Salt);
            return spec;
        }
        catch (AnytunException ex)
        {
            spec.Dispose();
            ThrowTerminatingError(AnytunErrors.FromException(ex, parameterNames: true));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }
}
