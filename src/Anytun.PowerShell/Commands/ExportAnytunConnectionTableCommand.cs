using System.Management.Automation;
using System.Security.Cryptography;
using Anytun.Engine.Sync;

namespace Anytun;

/// <summary>
/// Export-AnytunConnectionTable: writes connection definitions to a connection-table file exactly as anytun-config
/// prints them (one frame per line, byte for byte), for anytun-controld -f or Start-AnytunControlServer -Path. The
/// file holds master keys in clear text: a new file is created readable by its owner only (0600). Overwrites like
/// Out-File; -NoClobber refuses an existing file, -Append adds to it (as anytun-config &gt;&gt; file), -Force
/// overrides a read-only file.
/// </summary>
[Cmdlet(VerbsData.Export, "AnytunConnectionTable", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
public sealed class ExportAnytunConnectionTableCommand : AnytunCmdlet
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly List<AnytunConnectionDefinition> _definitions = new();

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public AnytunConnectionDefinition[] InputObject { get; set; } = Array.Empty<AnytunConnectionDefinition>();

    [Parameter]
    public SwitchParameter Append { get; set; }

    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => _definitions.AddRange(InputObject);

    protected override void EndProcessing()
    {
        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (NoClobber && !Append && File.Exists(path))
        {
            ThrowTerminatingError(ControlPlaneErrors.FileExists(path, "-NoClobber"));
        }

        var action = Append ? "Append" : "Write";
        if (!ShouldProcess(path, $"{action} {_definitions.Count} connection(s) as a connection table"))
        {
            return;
        }

        var table = Encode();
        try
        {
            Write(path, table);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ex is UnauthorizedAccessException ? "FileNotWritable" : "FileWriteFailed",
                ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, Path));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(table);
        }

        if (PassThru)
        {
            WriteObject(new FileInfo(path));
        }
    }

    /// <summary>The table-file bytes (they hold keys: the caller zeroes them).</summary>
    private byte[] Encode()
    {
        var commands = new List<SyncCommand>();
        try
        {
            foreach (var definition in _definitions)
            {
                if (definition.IsDisposed)
                {
                    ThrowTerminatingError(AnytunErrors.FromAny(
                        new ObjectDisposedException(nameof(AnytunConnectionDefinition), $"Connection definition '{definition}' was disposed; its key material is gone."),
                        definition.ToString()));
                }

                try
                {
                    commands.AddRange(definition.Definition.CreateCommandsAsync(null, StopToken).GetAwaiter().GetResult());
                }
                catch (Engine.AnytunException ex)
                {
                    ThrowTerminatingError(AnytunErrors.FromException(ex, definition.ToString(), parameterNames: true));
                }
            }

            return SyncTableFile.Encode(commands);
        }
        finally
        {
            foreach (var command in commands)
            {
                (command as IDisposable)?.Dispose();
            }
        }
    }

    private void Write(string path, byte[] table)
    {
        try
        {
            WriteFile(path, table);
        }
        catch (UnauthorizedAccessException) when (Force && File.Exists(path) && !OperatingSystem.IsWindows())
        {
            // Out-File -Force: override a read-only file (here: give the owner write permission back).
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite);
            WriteFile(path, table);
        }
    }

    private void WriteFile(string path, byte[] table)
    {
        var options = new FileStreamOptions
        {
            Mode = Append ? FileMode.Append : FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.Read,
        };
        if (!OperatingSystem.IsWindows() && !File.Exists(path))
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using var stream = new FileStream(path, options);
        stream.Write(table);
    }
}
