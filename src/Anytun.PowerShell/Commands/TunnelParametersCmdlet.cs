using System.Management.Automation;
using System.Security;
using Anytun.Engine;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;

namespace Anytun;

/// <summary>
/// The single-tunnel parameters shared by New-AnytunTunnel and Start-AnytunTunnel (one per anytun option,
/// anytun's long option names as aliases), and the code that turns them into a validated definition.
/// </summary>
public abstract class TunnelParametersCmdlet : AnytunCmdlet
{
    /// <summary>Parameter set of the option parameters.</summary>
    protected const string ByParameters = "ByParameters";

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("type")]
    [AnytunChoiceTransformation]
    public AnytunDeviceType? DeviceType { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("dev")]
    [ValidateNotNullOrEmpty]
    public string? DeviceName { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("ifconfig")]
    [ValidateNotNullOrEmpty]
    public string? InterfaceAddress { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("post-up-script")]
    [PostUpScriptTransformation]
    public AnytunPostUpScript? PostUpScript { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("interface")]
    [ValidateNotNullOrEmpty]
    public string? LocalAddress { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("port")]
    [ValidateRange(0, 65535)]
    public int LocalPort { get; set; } = TunnelOptions.DefaultPort;

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("remote-host")]
    [ValidateNotNullOrEmpty]
    public string? RemoteAddress { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("remote-port")]
    [ValidateRange(1, 65535)]
    public int RemotePort { get; set; } = TunnelOptions.DefaultPort;

    [Parameter(ParameterSetName = ByParameters)]
    [AnytunChoiceTransformation]
    public AnytunAddressFamily? AddressFamily { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    public ushort Mux { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("sender-id")]
    public ushort SenderId { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("window-size")]
    public uint WindowSize { get; set; }

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("kd-prf")]
    [AnytunChoiceTransformation]
    public AnytunKdPrf KdPrf { get; set; } = AnytunKdPrf.AesCtr128;

    [Parameter(ParameterSetName = ByParameters)]
    [AnytunChoiceTransformation]
    public AnytunRole Role { get; set; } = AnytunRole.Left;

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
    [AnytunChoiceTransformation]
    public AnytunCipher Cipher { get; set; } = AnytunCipher.AesCtr128;

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("auth-algo")]
    [AnytunChoiceTransformation]
    public AnytunAuthAlgorithm AuthAlgorithm { get; set; } = AnytunAuthAlgorithm.Sha1;

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("auth-tag-length")]
    [ValidateRange(0, 255)]
    public int AuthTagLength { get; set; } = TunnelOptions.DefaultAuthTagLength;

    [Parameter(ParameterSetName = ByParameters)]
    [Alias("Routes")]
    [ValidateNotNullOrEmpty]
    public string[]? Route { get; set; }

    /// <summary>The name the definition gets (each cmdlet declares its own -Name: they mean different things).</summary>
    protected abstract string? DefinitionName { get; }

    /// <summary>Builds and validates a definition; an invalid option is a terminating error naming the parameter.</summary>
    protected AnytunTunnelDefinition BuildDefinitionFromParameters()
    {
        var routes = PrefixParameters.ParseAll(this, Route, nameof(Route));
        var options = new TunnelOptions
        {
            DeviceType = DeviceType is { } type ? EngineEnumMap.ToEngine(type) : null,
            DeviceName = DeviceName,
            PostUpScript = PostUpScript?.Path,
            LocalAddress = LocalAddress,
            LocalPort = LocalPort,
            RemoteHost = RemoteAddress,
            RemotePort = RemotePort,
            AddressFamily = EngineEnumMap.ToEngine(AddressFamily),
            Mux = Mux,
            SenderId = SenderId,
            WindowSize = WindowSize,
            KdPrf = EngineEnumMap.ToEngine(KdPrf),
            Role = EngineEnumMap.ToEngine(Role),
            Cipher = EngineEnumMap.ToEngine(Cipher),
            Auth = EngineEnumMap.ToEngine(AuthAlgorithm),
            AuthTagLength = AuthTagLength,
        };

        options.Routes.AddRange(routes);
        try
        {
            if (InterfaceAddress is not null)
            {
                options.IfConfig = IfConfig.Parse(InterfaceAddress, OptionNames.IfConfig);
            }

            var passphraseEndsWithLineBreak = false;
            if (Passphrase is not null)
            {
                options.Passphrase = SecretParameters.FromSecureString(Passphrase, out passphraseEndsWithLineBreak);
            }

            if (Key is not null)
            {
                options.Key = SecretBytes.FromBytes(Key);
            }

            if (Salt is not null)
            {
                options.Salt = SecretBytes.FromBytes(Salt);
            }

            var warnings = new List<string>();
            foreach (var warning in options.Validate())
            {
                warnings.Add(ParameterNameMap.Rewrite(warning));
            }

            if (passphraseEndsWithLineBreak)
            {
                warnings.Add(SecretParameters.PassphraseLineBreakWarning);
            }

            return new AnytunTunnelDefinition(options, DefinitionName, PostUpScript?.ScriptBlock, warnings, fromParameters: true);
        }
        catch (AnytunException ex)
        {
            options.Dispose();
            ThrowTerminatingError(AnytunErrors.FromException(ex, parameterNames: true));
            throw; // unreachable: ThrowTerminatingError always throws
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // Never let a raw exception escape to the user; the engine should only throw AnytunException here.
            options.Dispose();
            ThrowTerminatingError(AnytunErrors.FromAny(ex, DefinitionName));
            throw;
        }
    }
}
