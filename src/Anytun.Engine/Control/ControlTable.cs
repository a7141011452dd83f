using System.Security.Cryptography;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Control;

/// <summary>
/// One version of what the control server sends: the table file's lines without their newlines, back to back (what
/// anytun-controld sends, spec §3), plus counts for the log and the status. The bytes hold master keys in clear text,
/// so they are shared (never copied per client) and zeroed once the server no longer serves them and no client is
/// still being sent them (reference counted).
/// </summary>
public sealed class ControlTable
{
    private readonly byte[] _stream;
    private int _references = 1;

    private ControlTable(byte[] stream, string source, int connections, int routes, IReadOnlyList<string> errors)
    {
        _stream = stream;
        Source = source;
        ConnectionCount = connections;
        RouteCount = routes;
        Errors = errors;
        LoadedUtc = DateTime.UtcNow;
    }

    /// <summary>Where the table came from (the file path, or "N connection definitions").</summary>
    public string Source { get; }

    /// <summary>Bytes sent to each client.</summary>
    public int Length => _stream.Length;

    public int ConnectionCount { get; }

    public int RouteCount { get; }

    /// <summary>Format problems found in the table (it is served anyway, as controld serves any file).</summary>
    public IReadOnlyList<string> Errors { get; }

    public DateTime LoadedUtc { get; }

    /// <summary>
    /// A table from the bytes of a table file (anytun-config output, with or without newlines); the caller keeps and
    /// zeroes <paramref name="file"/>.
    /// </summary>
    public static ControlTable FromTableFile(byte[] file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(source);
        int connections = 0, routes = 0;
        var errors = new List<string>();
        foreach (var message in SyncTableFile.Read(file))
        {
            using (message)
            {
                switch (message.Command)
                {
                    case SyncConnectionCommand:
                        connections++;
                        break;
                    case SyncRouteCommand:
                        routes++;
                        break;
                }

                if (message.Error is { } error)
                {
                    errors.Add(error.ToString());
                }
            }
        }

        return new ControlTable(SyncTableFile.ToStream(file), source, connections, routes, errors);
    }

    /// <summary>Takes a reference for sending; false once the table was retired and zeroed.</summary>
    internal bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Drops a reference; the last one zeroes the bytes.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            CryptographicOperations.ZeroMemory(_stream);
        }
    }

    /// <summary>The bytes to send; valid only while a reference is held.</summary>
    internal ReadOnlyMemory<byte> Stream => _stream;

    public override string ToString() => $"{Source}: {ConnectionCount} connection(s), {RouteCount} route(s), {Length} bytes";
}
