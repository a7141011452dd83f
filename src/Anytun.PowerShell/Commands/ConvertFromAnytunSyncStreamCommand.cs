using System.Globalization;
using System.Management.Automation;
using System.Net.Sockets;
using Anytun.Engine;
using Anytun.Engine.Sync;

namespace Anytun;

/// <summary>
/// ConvertFrom-AnytunSyncStream (anytun-showtables, returning objects): decodes a sync stream or connection table
/// from a file, from bytes, or live from a sync (-S) or control (anytun-controld) port, into connection and route
/// entries. -AsText writes exactly the lines anytun-showtables prints instead. Malformed frames are non-terminating
/// errors naming their offset; reading carries on with the next frame as anytun does.
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "AnytunSyncStream", DefaultParameterSetName = ByPath)]
[OutputType(typeof(AnytunSyncConnection), typeof(AnytunSyncRoute), typeof(string))]
public sealed class ConvertFromAnytunSyncStreamCommand : AnytunCmdlet
{
    private const string ByPath = "ByPath";
    private const string ByInputObject = "ByInputObject";
    private const string ByComputerName = "ByComputerName";

    /// <summary>Without -Follow a live read ends once the peer has been silent this long (its dump comes at once).</summary>
    private static readonly TimeSpan DumpQuietPeriod = TimeSpan.FromSeconds(1);

    private readonly MemoryStream _bytes = new();

    // Not from the pipeline by property name: PowerShell would then bind only this (default) set and refuse piped bytes.
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByPath)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByInputObject)]
    [ValidateNotNull]
    [AllowEmptyCollection]
    public byte[] InputObject { get; set; } = Array.Empty<byte>();

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByComputerName)]
    [Alias("CN", "RemoteAddress")]
    [ValidateNotNullOrEmpty]
    public string ComputerName { get; set; } = string.Empty;

    [Parameter(ParameterSetName = ByComputerName)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = SyncArchive.DefaultPort;

    [Parameter(ParameterSetName = ByComputerName)]
    public SwitchParameter Follow { get; set; }

    /// <summary>Longest time to read a live port, in seconds; 0 = no limit (with -Follow: until Ctrl+C or the peer closes).</summary>
    [Parameter(ParameterSetName = ByComputerName)]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutSec { get; set; }

    [Parameter(ParameterSetName = ByComputerName)]
    [ValidateRange(1, 3600)]
    public int ConnectTimeoutSec { get; set; } = 10;

    [Parameter]
    public SwitchParameter AsText { get; set; }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case ByInputObject:
                // Get-Content -AsByteStream pipes single bytes: collect everything, decode at the end.
                if (_bytes.Length + InputObject.Length > SyncTableFile.MaxFileSize)
                {
                    ThrowTerminatingError(AnytunErrors.Create(AnytunErrorCode.InvalidSyncData, $"The input is larger than {SyncTableFile.MaxFileSize} bytes.", "-InputObject"));
                }

                _bytes.Write(InputObject);
                break;
            case ByComputerName:
                ReadLive();
                break;
            default:
                foreach (var path in ResolvePaths())
                {
                    ConvertFile(path);
                }

                break;
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == ByInputObject)
        {
            Convert(_bytes.ToArray(), "-InputObject", tableFile: false);
        }
    }

    protected override void DisposeResources() => _bytes.Dispose();

    private List<string> ResolvePaths()
    {
        var result = new List<string>();
        foreach (var pattern in Path)
        {
            try
            {
                result.AddRange(GetResolvedProviderPathFromPSPath(pattern, out _));
            }
            catch (ItemNotFoundException ex)
            {
                WriteError(new ErrorRecord(ex, "PathNotFound", ErrorCategory.ObjectNotFound, pattern));
            }
        }

        return result;
    }

    private void ConvertFile(string path)
    {
        byte[] data;
        try
        {
            var size = new FileInfo(path).Length;
            if (size > SyncTableFile.MaxFileSize)
            {
                WriteError(AnytunErrors.Create(AnytunErrorCode.InvalidSyncData, $"'{path}' has {size} bytes; at most {SyncTableFile.MaxFileSize} are read.", path));
                return;
            }

            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(AnytunErrors.FromAny(ex, path));
            return;
        }

        // Objects: a table file with newlines reads as anytun-controld serves it. Text: the bytes exactly as given.
        Convert(data, path, tableFile: true);
        Array.Clear(data);
    }

    private void Convert(byte[] data, string source, bool tableFile)
    {
        if (AsText)
        {
            foreach (var line in ShowTablesRenderer.Render(data))
            {
                WriteObject(line);
            }

            return;
        }

        var messages = tableFile ? SyncTableFile.Read(data) : SyncStreamReader.ReadAll(data);
        foreach (var message in messages)
        {
            using (message)
            {
                WriteMessage(message, source);
            }
        }
    }

    private void WriteMessage(SyncMessage message, string source)
    {
        switch (message.Kind)
        {
            case SyncMessageKind.Command when message.Command is SyncConnectionCommand connection:
                WriteObject(new AnytunSyncConnection(connection, source, message.Offset, message.Line));
                break;
            case SyncMessageKind.Command when message.Command is SyncRouteCommand route:
                WriteObject(new AnytunSyncRoute(route, source, message.Offset, message.Line));
                break;
            case SyncMessageKind.Ignored:
                WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{source} @{message.Offset}: {message.Note}; ignored, as anytun ignores it."));
                break;
            default:
                WriteError(AnytunErrors.Create(AnytunErrorCode.InvalidSyncData, $"{source}: {message.Error?.Message}", source));
                break;
        }
    }

    private void ReadLive()
    {
        var source = ComputerName.Contains(':', StringComparison.Ordinal) ? $"[{ComputerName}]:{Port}" : $"{ComputerName}:{Port}";
        using var client = Connect(source);
        if (client is null)
        {
            return;
        }

        WriteVerbose($"Connected to {source}; {(Follow ? "following updates" : "reading its dump")}.");
        using var total = TimeoutSec > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(TimeoutSec)) : new CancellationTokenSource();
        using var quiet = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(StopToken, total.Token, quiet.Token);
        var stream = client.GetStream();
        try
        {
            if (AsText)
            {
                ReadLiveText(stream, quiet, linked.Token);
            }
            else
            {
                ReadLiveObjects(stream, source, quiet, linked.Token);
            }
        }
        catch (OperationCanceledException) when (!StopToken.IsCancellationRequested)
        {
            WriteVerbose(total.IsCancellationRequested
                ? $"Stopped reading {source} after -TimeoutSec {TimeoutSec}."
                : $"{source} sent nothing for {DumpQuietPeriod.TotalSeconds} s: its dump is complete.");
        }
    }

    private void ReadLiveText(NetworkStream stream, CancellationTokenSource quiet, CancellationToken token)
    {
        var lines = ShowTablesRenderer.RenderAsync(stream, token).GetAsyncEnumerator(token);
        try
        {
            while (true)
            {
                ArmQuietPeriod(quiet);
                if (!lines.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                    return;
                }

                WriteObject(lines.Current);
            }
        }
        finally
        {
            lines.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private void ReadLiveObjects(NetworkStream stream, string source, CancellationTokenSource quiet, CancellationToken token)
    {
        using var reader = new SyncStreamReader(stream, leaveOpen: true);
        while (true)
        {
            ArmQuietPeriod(quiet);
            using var message = reader.ReadMessageAsync(token).AsTask().GetAwaiter().GetResult();
            if (message is null)
            {
                WriteVerbose($"{source} closed the connection.");
                return;
            }

            WriteMessage(message, source);
        }
    }

    /// <summary>Without -Follow, each read may wait only the quiet period: the dump is over when the peer goes silent.</summary>
    private void ArmQuietPeriod(CancellationTokenSource quiet)
    {
        if (!Follow)
        {
            quiet.CancelAfter(DumpQuietPeriod);
        }
    }

    /// <summary>Connects within -ConnectTimeoutSec; null (after writing the error) when it fails.</summary>
    private TcpClient? Connect(string source)
    {
        var client = new TcpClient(); // the family follows the address the name resolves to
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(ConnectTimeoutSec));
        try
        {
            client.ConnectAsync(ComputerName, Port, deadline.Token).AsTask().GetAwaiter().GetResult();
            return client;
        }
        catch (OperationCanceledException) when (!StopToken.IsCancellationRequested)
        {
            client.Dispose();
            WriteError(ControlPlaneErrors.ConnectTimeout(source, ConnectTimeoutSec));
        }
        catch (SocketException ex)
        {
            client.Dispose();
            WriteError(ControlPlaneErrors.ConnectFailed(source, ex));
        }
        catch (OperationCanceledException)
        {
            client.Dispose();
        }

        return null;
    }
}
