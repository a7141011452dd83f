using System.Security.Cryptography;
using Anytun.Engine.Configuration;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Control;

/// <summary>
/// Where the control server's table comes from: a table file (re-read when it changes) or a fixed set of
/// connection definitions (encoded once, as anytun-config would print them).
/// </summary>
public abstract class ControlTableSource
{
    private protected ControlTableSource()
    {
    }

    /// <summary>The path, or "N connection definition(s)": what the log names.</summary>
    public abstract string Description { get; }

    /// <summary>Whether <see cref="ControlServer"/> polls this source for changes.</summary>
    public virtual bool CanChange => false;

    /// <summary>A table file served as anytun-controld -f serves it; re-read when its size or time stamp changes.</summary>
    public static ControlTableSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileTableSource(Path.GetFullPath(path));
    }

    /// <summary>The frames anytun-config would print for <paramref name="definitions"/>, in order (names resolved now).</summary>
    /// <exception cref="AnytunException">ResolveFailed or InvalidOption from a definition's remote host.</exception>
    public static async Task<ControlTableSource> FromDefinitionsAsync(
        IEnumerable<AnytunConnectionDefinition> definitions, RemoteHostResolver? resolver = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var commands = new List<SyncCommand>();
        var count = 0;
        try
        {
            foreach (var definition in definitions)
            {
                commands.AddRange(await definition.CreateCommandsAsync(resolver, cancellationToken).ConfigureAwait(false));
                count++;
            }

            var file = SyncTableFile.Encode(commands);
            try
            {
                var description = count == 1 ? "1 connection definition" : $"{count} connection definitions";
                return new FixedTableSource(ControlTable.FromTableFile(file, description));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(file);
            }
        }
        finally
        {
            foreach (var command in commands)
            {
                (command as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>Reads the table; throws when it cannot be read (the server keeps the previous one then).</summary>
    internal abstract ControlTable Load();

    /// <summary>Cheap check whether <see cref="Load"/> would give something new (polled).</summary>
    internal virtual bool HasChanged() => false;

    private sealed class FixedTableSource : ControlTableSource
    {
        private readonly ControlTable _table;

        public FixedTableSource(ControlTable table)
        {
            _table = table;
        }

        public override string Description => _table.Source;

        internal override ControlTable Load() => _table;
    }

    private sealed class FileTableSource : ControlTableSource
    {
        private readonly string _path;
        private (DateTime WriteTime, long Length)? _loaded;
        private (DateTime WriteTime, long Length)? _seen;

        public FileTableSource(string path)
        {
            _path = path;
        }

        public override string Description => _path;

        public override bool CanChange => true;

        internal override ControlTable Load()
        {
            var stamp = Stamp();
            if (stamp is null)
            {
                throw new AnytunException(AnytunErrorCode.InvalidOption, $"{OptionNames.File} '{_path}': unable to open file (it does not exist).", _path);
            }

            if (stamp.Value.Length > SyncTableFile.MaxFileSize)
            {
                throw new AnytunException(AnytunErrorCode.InvalidSyncData, $"'{_path}' has {stamp.Value.Length} bytes; a connection table file may have at most {SyncTableFile.MaxFileSize}.", _path);
            }

            byte[] file;
            try
            {
                file = File.ReadAllBytes(_path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new AnytunException(AnytunErrorCode.InvalidOption, $"{OptionNames.File} '{_path}': unable to open file ({ex.Message}).", _path, ex);
            }

            try
            {
                var table = ControlTable.FromTableFile(file, _path);
                _loaded = stamp;
                return table;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(file);
            }
        }

        /// <summary>
        /// True once the file differs from what was loaded and stayed the same since the previous poll, so a file
        /// that is still being written (anytun-config &gt;&gt; table, one client after another) is read when it is done.
        /// </summary>
        internal override bool HasChanged()
        {
            var stamp = Stamp();
            var settled = stamp == _seen;
            _seen = stamp;
            return stamp is not null && stamp != _loaded && settled;
        }

        private (DateTime WriteTime, long Length)? Stamp()
        {
            var info = new FileInfo(_path);
            return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
        }
    }
}
