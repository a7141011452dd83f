using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Anytun.Engine.Sync;

/// <summary>
/// Prints what anytun-showtables prints for a sync stream (spec §4), line for line: it applies each frame to empty
/// tables and prints the connection ("Client 5: 10.1.2.3:4444", "Client 7: not registered") or the route
/// ("Route: 192.0.2.0/24 -> 12"), and "uncaught exception, exiting: …" for errors, then carries on. It follows the
/// reference's framing quirks (a short frame is padded with a copy of the last byte read) and Boost 1.74's limits
/// (archive version 19 is "unsupported version"). Two deliberate differences: prefixes on which the reference loops
/// forever (10.0.0.128/25) are printed, and the reference's closing "input stream error" line, which it prints or
/// not depending on an uninitialised stack byte (it varies from run to run), follows a fixed rule that reproduces
/// every recorded capture: printed at a clean end of input unless the last frame printed nothing, a registered
/// client, or a route whose length is not a multiple of 8.
/// </summary>
public sealed class ShowTablesRenderer
{
    private const string Uncaught = "uncaught exception, exiting: ";
    private const string InputStreamError = Uncaught + "input stream error";

    private LastOutput _last = LastOutput.Nothing;

    private enum LastOutput
    {
        Nothing,
        Line,
        RegisteredClient,
        UnevenRoute,
    }

    /// <summary>The lines for a whole input (a file, a capture, bytes).</summary>
    public static IReadOnlyList<string> Render(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var renderer = new ShowTablesRenderer();
        var lines = new List<string>();
        using var frames = new SyncFrameReader(new MemoryStream(input, writable: false));
        SyncFrame frame;
        do
        {
            frame = frames.ReadInMemory();
            renderer.Render(frame, lines);
        }
        while (frame.Status is SyncFrameStatus.Frame or SyncFrameStatus.Empty or SyncFrameStatus.BadLength);

        return lines;
    }

    /// <summary>The exact stdout of anytun-showtables: every line followed by "\n".</summary>
    public static string RenderText(byte[] input)
    {
        var text = new StringBuilder();
        foreach (var line in Render(input))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Lines as frames arrive (for a live sync or control connection), until the stream ends.</summary>
    public static async IAsyncEnumerable<string> RenderAsync(Stream input, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var renderer = new ShowTablesRenderer();
        var lines = new List<string>();
        using var frames = new SyncFrameReader(input, leaveOpen: true);
        SyncFrame frame;
        do
        {
            frame = await frames.ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            lines.Clear();
            renderer.Render(frame, lines);
            foreach (var line in lines)
            {
                yield return line;
            }
        }
        while (frame.Status is SyncFrameStatus.Frame or SyncFrameStatus.Empty or SyncFrameStatus.BadLength);
    }

    /// <summary>Appends the lines anytun-showtables prints for <paramref name="frame"/>.</summary>
    public void Render(in SyncFrame frame, List<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        switch (frame.Status)
        {
            case SyncFrameStatus.Frame:
                _last = RenderArchive(frame.Archive.Span, frame.Offset + SyncArchive.FrameHeaderSize, lines);
                break;
            case SyncFrameStatus.Empty:
            case SyncFrameStatus.BadLength:
                // The reference reads a length of 0 (a failed extraction stores 0) and skips the frame silently.
                _last = LastOutput.Nothing;
                break;
            case SyncFrameStatus.Truncated:
                RenderTruncated(frame, lines);
                break;
            case SyncFrameStatus.EndOfStream:
                if (_last == LastOutput.Line)
                {
                    lines.Add(InputStreamError);
                }

                _last = LastOutput.Nothing;
                break;
            default:
                // A live connection failed: the reference would see end of input and stop.
                break;
        }
    }

    /// <summary>
    /// The reference's readExactly writes the (unchanged) one-byte read buffer even when the read fails, so a cut
    /// frame is parsed with one copy of the last byte read appended.
    /// </summary>
    private void RenderTruncated(in SyncFrame frame, List<string> lines)
    {
        _last = LastOutput.Nothing;
        Span<byte> padded = stackalloc byte[SyncArchive.LengthPrefixSize];
        switch (frame.TruncatedIn)
        {
            case SyncFramePart.LengthPrefix:
                frame.Received.Span.CopyTo(padded);
                padded[frame.Received.Length] = (byte)frame.LastByte;
                if (SyncFrameReader.TryParseLengthPrefix(padded[..(frame.Received.Length + 1)], out var length) && length > 0)
                {
                    lines.Add(InputStreamError); // an empty archive
                }

                break;
            case SyncFramePart.Separator:
            case SyncFramePart.Archive when frame.Received.IsEmpty:
                // Nothing of the archive arrived: the read buffer then holds whatever the stack left there (observed:
                // not a digit), so the archive fails at its first number.
                lines.Add(InputStreamError);
                break;
            default:
                var archive = new byte[frame.Received.Length + 1];
                frame.Received.Span.CopyTo(archive);
                archive[^1] = (byte)frame.LastByte;
                RenderArchive(archive, frame.Offset + SyncArchive.FrameHeaderSize, lines);
                Array.Clear(archive);
                break;
        }
    }

    private static LastOutput RenderArchive(ReadOnlySpan<byte> archive, long offset, List<string> lines)
    {
        var parse = SyncArchiveParser.Parse(archive, offset, emulateReference: true);
        try
        {
            if (parse.Error is { } error)
            {
                lines.Add(Uncaught + error.ReferenceText);
                if (parse.ConnectionMux is { } mux)
                {
                    lines.Add(ClientLine(mux, "not registered"));
                }
                else if (parse.FailedRoute is { } route)
                {
                    lines.Add(RouteLine(route.Address, route.PrefixLength, route.MuxLeft));
                }

                return LastOutput.Line;
            }

            switch (parse.Command)
            {
                case SyncConnectionCommand connection:
                    var registered = connection.HasRemoteEndpoint;
                    lines.Add(ClientLine(
                        connection.Mux,
                        registered ? SyncConnectionCommand.FormatEndPoint(connection.RemoteAddress, connection.RemotePort) : "not registered"));
                    return registered ? LastOutput.RegisteredClient : LastOutput.Line;
                case SyncRouteCommand route:
                    lines.Add(RouteLine(route.Address, route.PrefixLength, route.Mux));
                    return ClampedLength(route.AddressType, route.PrefixLength) % 8 == 0 ? LastOutput.Line : LastOutput.UnevenRoute;
                default:
                    if (parse.ConnectionMux is { } created)
                    {
                        // The connection was created, but its parameters were a back-reference (tracking flag 1).
                        lines.Add(ClientLine(created, "not registered"));
                        return LastOutput.Line;
                    }

                    return LastOutput.Nothing; // unknown command word: consumed and ignored
            }
        }
        finally
        {
            (parse.Command as IDisposable)?.Dispose();
        }
    }

    private static int ClampedLength(SyncAddressType type, byte length) => Math.Min(
        (int)length,
        type switch
        {
            SyncAddressType.IPv4 => 32,
            SyncAddressType.IPv6 => 128,
            _ => 48,
        });

    private static string ClientLine(ushort mux, string remote) =>
        string.Create(CultureInfo.InvariantCulture, $"Client {mux}: {remote}");

    /// <summary>anytun prints the inet_ntop text (nothing for Ethernet) and the raw, unclamped length.</summary>
    private static string RouteLine(System.Net.IPAddress? address, byte length, ushort mux) =>
        string.Create(CultureInfo.InvariantCulture, $"Route: {(address is null ? string.Empty : InetAddressText.Format(address))}/{length} -> {mux}");
}
