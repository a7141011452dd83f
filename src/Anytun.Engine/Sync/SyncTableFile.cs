namespace Anytun.Engine.Sync;

/// <summary>
/// The connection-table file anytun-config appends to and anytun-controld serves: one frame per line (spec §1.2,
/// §3). Read with controld's semantics: split on "\n" and serve the lines back to back, so a file with newlines and
/// the "chomped" back-to-back form read the same. Positions in the result are file positions (line, column, offset).
/// </summary>
public static class SyncTableFile
{
    /// <summary>Files larger than this are refused by <see cref="ReadFile"/> (a table of 10,000 connections is ~3 MB).</summary>
    public const long MaxFileSize = 64L * 1024 * 1024;

    /// <summary>The file form: every frame followed by "\n", byte-identical to anytun-config's output.</summary>
    public static byte[] Encode(IEnumerable<SyncCommand> commands) => SyncWriter.EncodeTableFile(commands);

    /// <summary>What anytun-controld sends to a client for this file: the lines without their newlines, back to back.</summary>
    public static byte[] ToStream(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var result = new byte[file.Length - file.AsSpan().Count((byte)'\n')];
        var position = 0;
        foreach (var b in file)
        {
            if (b != '\n')
            {
                result[position++] = b;
            }
        }

        return result;
    }

    /// <summary>The messages of a table file, positioned in the file.</summary>
    public static IReadOnlyList<SyncMessage> Read(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var lines = new LineMap(file);
        var crlf = file.AsSpan().IndexOf("\r\n"u8) >= 0;
        var messages = SyncStreamReader.ReadAll(ToStream(file));
        var result = new List<SyncMessage>(messages.Count);
        foreach (var message in messages)
        {
            var (offset, line, _) = lines.Locate(message.Offset);
            SyncFormatError? error = null;
            if (message.Error is { } streamError)
            {
                var (errorOffset, errorLine, errorColumn) = lines.Locate(streamError.Offset);
                error = streamError.At(errorOffset, errorLine, errorColumn);
                if (crlf)
                {
                    error = error.WithHint("(The file has CRLF line endings: anytun-controld would send each '\\r' to its clients and put them out of step; convert the file to LF line endings.)");
                }
            }

            result.Add(message.InFile(offset, line, error));
        }

        return result;
    }

    /// <summary><see cref="Read(byte[])"/> of a file on disk.</summary>
    /// <exception cref="AnytunException">InvalidSyncData when the file is larger than <see cref="MaxFileSize"/>.</exception>
    public static IReadOnlyList<SyncMessage> ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var size = new FileInfo(path).Length;
        if (size > MaxFileSize)
        {
            throw new AnytunException(AnytunErrorCode.InvalidSyncData, $"'{path}' has {size} bytes; a connection table file may have at most {MaxFileSize}.", path);
        }

        return Read(File.ReadAllBytes(path));
    }

    /// <summary>Maps offsets in the newline-free stream back to file offsets, lines and columns.</summary>
    private sealed class LineMap
    {
        private readonly List<long> _streamStarts = new() { 0 };
        private readonly List<long> _fileStarts = new() { 0 };

        public LineMap(byte[] file)
        {
            long removed = 0;
            for (var i = 0; i < file.Length; i++)
            {
                if (file[i] == '\n')
                {
                    removed++;
                    _streamStarts.Add(i + 1 - removed);
                    _fileStarts.Add(i + 1);
                }
            }
        }

        public (long Offset, int Line, int Column) Locate(long streamOffset)
        {
            var index = _streamStarts.BinarySearch(streamOffset);
            if (index < 0)
            {
                index = ~index - 1;
            }
            else
            {
                // Several empty lines share a stream offset: take the last, where the next byte really is.
                while (index + 1 < _streamStarts.Count && _streamStarts[index + 1] == streamOffset)
                {
                    index++;
                }
            }

            var column = streamOffset - _streamStarts[index];
            return (_fileStarts[index] + column, index + 1, (int)column + 1);
        }
    }
}
