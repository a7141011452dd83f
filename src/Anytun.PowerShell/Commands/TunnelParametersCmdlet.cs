using System.Management.Automation;
using System.Runtime.InteropServices;
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
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

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

    /// <summary>Builds and validates a definition; an invalid option is a terminating error naming the parameter.</summary>
    protected AnytunTunnelDefinition BuildDefinitionFromParameters()
    {
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

        try
        {
            if (InterfaceAddress is not null)
            {
                options.IfConfig = IfConfig.Parse(InterfaceAddress, OptionNames.IfConfig);
            }

            if (Passphrase is not null)
            {
                options.Passphrase = ToSecret(Passphrase);
            }

            if (Key is not null)
            {
                options.Key = SecretBytes.FromBytes(Key);
            }

            if (Salt is not null)
            {
                options.Salt = SecretBytes.FromBytes(Salt);
            }

            var warnings = options.Validate();
            return new AnytunTunnelDefinition(options, Name, PostUpScript?.ScriptBlock, warnings);
        }
        catch (AnytunException ex)
        {
            options.Dispose();
            var parameter = ParameterNameMap.ToParameter(ex.Target);
            var record = AnytunErrors.FromException(ex, parameter);
            record.ErrorDetails = new ErrorDetails($"{parameter}: {ex.Message}");
            ThrowTerminatingError(record);
            throw; // unreachable: ThrowTerminatingError always throws
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // Never let a raw exception escape to the user; the engine should only throw AnytunException here.
            options.Dispose();
            ThrowTerminatingError(AnytunErrors.FromAny(ex, Name));
            throw;
        }
    }

    // Copies the SecureString straight into pinned secret bytes; the unmanaged copy is zeroed at once.
    private static unsafe SecretBytes ToSecret(SecureString secure)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return SecretBytes.FromUtf16Chars(new ReadOnlySpan<char>((void*)pointer, secure.Length));
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
