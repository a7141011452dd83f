using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Anytun.Engine.Sync;

/// <summary>
/// Writes sync commands exactly as anytun 0.3.8 does (spec §1.2, §1.3, §8.1): <c>LLLLL␠22 serialization::archive 18 …</c>,
/// class-info pairs at the first object of each class only, bytes as decimal numbers, strings as "length bytes",
/// single spaces, no trailing whitespace. The stream form is frames back to back; the table-file form (what
/// anytun-config prints) adds "\n" after each frame. The returned bytes contain master keys in clear text: zero them
/// when done.
/// </summary>
public static class SyncWriter
{
    /// <summary>One frame of the stream form.</summary>
    /// <exception cref="AnytunException">InvalidSyncData: the archive would exceed 99,999 bytes.</exception>
    public static byte[] EncodeFrame(SyncCommand command) => Encode(new[] { command }, newline: false);

    /// <summary>Frames back to back, as sent on a sync connection.</summary>
    public static byte[] EncodeStream(IEnumerable<SyncCommand> commands) => Encode(commands, newline: false);

    /// <summary>Frames each followed by "\n", as anytun-config prints them and anytun-controld reads them.</summary>
    public static byte[] EncodeTableFile(IEnumerable<SyncCommand> commands) => Encode(commands, newline: true);

    /// <summary>Writes one frame to <paramref name="stream"/> (the stream form); the temporary copy is zeroed.</summary>
    public static async ValueTask WriteFrameAsync(Stream stream, SyncCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var frame = EncodeFrame(command);
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(frame);
        }
    }

    private static byte[] Encode(IEnumerable<SyncCommand> commands, bool newline)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var frames = new List<ArchiveBuilder>();
        try
        {
            var total = 0;
            foreach (var command in commands)
            {
                var archive = new ArchiveBuilder();
                frames.Add(archive);
                WriteArchive(archive, command);
                if (archive.Length > SyncArchive.MaxArchiveLength)
                {
                    throw new AnytunException(
                        AnytunErrorCode.InvalidSyncData,
                        string.Create(CultureInfo.InvariantCulture, $"The {command.CommandWord} command needs {archive.Length} archive bytes; a sync frame holds at most {SyncArchive.MaxArchiveLength} (its length prefix has 5 digits)."));
                }

                total += SyncArchive.FrameHeaderSize + archive.Length + (newline ? 1 : 0);
            }

            var result = new byte[total];
            var position = 0;
            foreach (var archive in frames)
            {
                archive.CopyFrameTo(result.AsSpan(position));
                position += SyncArchive.FrameHeaderSize + archive.Length;
                if (newline)
                {
                    result[position++] = (byte)'\n';
                }
            }

            return result;
        }
        finally
        {
            foreach (var archive in frames)
            {
                archive.Dispose();
            }
        }
    }

    private static void WriteArchive(ArchiveBuilder archive, SyncCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        archive.String(SyncArchive.Signature);
        archive.Number(SyncArchive.WrittenVersion);
        archive.ClassInfo(); // SyncCommand
        archive.String(Encoding.ASCII.GetBytes(command.CommandWord));
        switch (command)
        {
            case SyncConnectionCommand connection:
                WriteConnection(archive, connection);
                break;
            case SyncRouteCommand route:
                WriteRoute(archive, route);
                break;
            default:
                throw new ArgumentException($"Unknown sync command type {command.GetType()}.", nameof(command));
        }
    }

    private static void WriteConnection(ArchiveBuilder archive, SyncConnectionCommand connection)
    {
        archive.ClassInfo(); // SyncConnectionCommand
        archive.Number(connection.Mux);
        archive.ClassInfo(); // ConnectionParam
        archive.ClassInfo(); // KeyDerivation
        archive.Number((ulong)connection.Role);
        archive.Number(connection.KeyLengthBits);
        archive.ClassInfo(); // SyncBuffer: only before the salt, the first buffer
        archive.Bytes(connection.MasterSalt.Span);
        archive.Bytes(connection.MasterKey.Span);
        archive.ClassInfo(); // SeqWindow
        archive.Number(connection.WindowSize);
        archive.Number(connection.SequenceNumber);
        archive.String(Encoding.Latin1.GetBytes(connection.RemoteHost));
        archive.Number(connection.RemotePort);
    }

    private static void WriteRoute(ArchiveBuilder archive, SyncRouteCommand route)
    {
        archive.ClassInfo(); // SyncRouteCommand
        archive.ClassInfo(); // NetworkPrefix
        archive.Number(route.PrefixLength);
        archive.ClassInfo(); // NetworkAddress
        archive.Number((ulong)route.AddressType);
        if (route.AddressType == SyncAddressType.Ethernet)
        {
            archive.Number(route.EthernetAddress);
        }
        else
        {
            archive.String(Encoding.Latin1.GetBytes(route.AddressText!));
        }

        archive.Number(route.Mux);
    }
}
