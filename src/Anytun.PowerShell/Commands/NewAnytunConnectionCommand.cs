using System.Management.Automation;
using System.Security;
using Anytun.Engine;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;
using Anytun.Engine.Protocol;
using EngineConnectionDefinition = Anytun.Engine.Configuration.AnytunConnectionDefinition;

namespace Anytun;

/// <summary>
/// New-AnytunConnection: describes one connection as anytun-config does (mux, remote, window size, kd-prf, role,
/// passphrase or key and salt, routes) without touching any tunnel. Pipe the result to Add-AnytunConnection.
/// </summary>
[Cmdlet(VerbsCommon.New, "AnytunConnection")]
[OutputType(typeof(AnytunConnectionDefinition))]
public sealed class NewAnytunConnectionCommand : AnytunCmdlet
{
    [Parameter(Position = 0)]
    public ushort Mux { get; set; }

    [Parameter]
    [Alias("remote-host")]
    [ValidateNotNullOrEmpty]
    public string? RemoteAddress { get; set; }

    [Parameter]
    [Alias("remote-port")]
    [ValidateRange(1, 65535)]
    public int RemotePort { get; set; } = EngineConnectionDefinition.DefaultRemotePort;

    [Parameter]
    [AnytunChoiceTransformation]
    public AnytunAddressFamily? AddressFamily { get; set; }

    [Parameter]
    [Alias("window-size")]
    public uint WindowSize { get; set; }

    [Parameter]
    [Alias("kd-prf")]
    [AnytunChoiceTransformation]
    public AnytunKdPrf KdPrf { get; set; } = AnytunKdPrf.AesCtr128;

    [Parameter]
    [AnytunChoiceTransformation]
    public AnytunRole Role { get; set; } = AnytunRole.Left;

    [Parameter]
    [SecureStringTransformation]
    public SecureString? Passphrase { get; set; }

    [Parameter]
    [HexBytesTransformation]
    [ValidateNotNullOrEmpty]
    public byte[]? Key { get; set; }

    [Parameter]
    [HexBytesTransformation]
    [ValidateNotNullOrEmpty]
    public byte[]? Salt { get; set; }

    [Parameter]
    [Alias("Routes")]
    [ValidateNotNullOrEmpty]
    public string[]? Route { get; set; }

    protected override void ProcessRecord()
    {
        var routes = PrefixParameters.ParseAll(this, Route, nameof(Route));
        WriteObject(Create(routes));
    }

    private AnytunConnectionDefinition Create(List<Engine.Routing.IPPrefix> routes)
    {
        SecretBytes? passphrase = null;
        SecretBytes? key = null;
        SecretBytes? salt = null;
        try
        {
            if (WindowSize > ReplayWindow.MaxSize)
            {
                throw new AnytunException(
                    AnytunErrorCode.InvalidOption,
                    $"-WindowSize {WindowSize} is above the maximum of {ReplayWindow.MaxSize} (8 KiB of replay state per sender).",
                    "-WindowSize");
            }

            var warnings = new List<string>();
            if (Passphrase is not null)
            {
                passphrase = SecretParameters.FromSecureString(Passphrase, out var endsWithLineBreak);
                if (endsWithLineBreak)
                {
                    warnings.Add(SecretParameters.PassphraseLineBreakWarning);
                }
            }

            key = Key is null ? null : SecretBytes.FromBytes(Key);
            salt = Salt is null ? null : SecretBytes.FromBytes(Salt);
            var definition = new EngineConnectionDefinition(
                Mux,
                RemoteAddress,
                (ushort)RemotePort,
                EngineEnumMap.ToEngine(AddressFamily),
                WindowSize,
                EngineEnumMap.ToEngine(KdPrf),
                EngineEnumMap.ToEngine(Role),
                passphrase,
                key,
                salt,
                routes.Select(static p => new ConnectionRoute(p.Address, p.PrefixLength)));
            foreach (var warning in definition.Warnings)
            {
                warnings.Add(ParameterNameMap.Rewrite(warning));
            }

            foreach (var warning in warnings)
            {
                WriteWarning(warning);
            }

            return new AnytunConnectionDefinition(definition, warnings);
        }
        catch (AnytunException ex)
        {
            ThrowTerminatingError(AnytunErrors.FromException(ex, parameterNames: true));
            throw; // unreachable: ThrowTerminatingError always throws
        }
        finally
        {
            passphrase?.Dispose();
            key?.Dispose();
            salt?.Dispose();
        }
    }
}
