using System.Globalization;
using System.Net;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Configuration;

/// <summary>One problem found while importing a connection table: a frame that is not valid, or an entry skipped.</summary>
/// <param name="Message">What is wrong, naming the line (table files) or the byte offset.</param>
/// <param name="IsError">True for malformed frames; false for entries that are valid but cannot be represented.</param>
/// <param name="Line">1-based line in a table file; null for streams.</param>
/// <param name="Offset">Byte offset of the frame.</param>
public sealed record ConnectionTableProblem(string Message, bool IsError, int? Line, long Offset);

/// <summary>The connection definitions of a table and what could not be imported.</summary>
public sealed record ConnectionTableImportResult(IReadOnlyList<AnytunConnectionDefinition> Definitions, IReadOnlyList<ConnectionTableProblem> Problems);

/// <summary>
/// Turns the frames of a connection table (anytun-config's file, a controld stream, a sync dump) back into the
/// definitions anytun-config would have been given: one per connection command, with the route commands for its mux
/// as its routes (in table order), so that exporting them again writes the same bytes. The kd-prf comes from the key
/// length (128/192/256 bits = aes-ctr-128/192/256, 0 = null); an unknown remote (0.0.0.0, or :: written with -6) is no
/// remote. Not carried back: the sequence counter (anytun-config always writes 0).
/// </summary>
public static class ConnectionTableImport
{
    /// <summary>Imports <paramref name="messages"/>; the caller keeps ownership of (and disposes) the messages.</summary>
    public static ConnectionTableImportResult Import(IReadOnlyList<SyncMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var problems = new List<ConnectionTableProblem>();
        var entries = new List<(SyncMessage Message, SyncConnectionCommand Command, List<ConnectionRoute> Routes)>();
        foreach (var message in messages)
        {
            switch (message)
            {
                case { Error: { } error }:
                    problems.Add(new ConnectionTableProblem(error.Message, true, message.Line, message.Offset));
                    break;
                case { Command: SyncConnectionCommand connection }:
                    entries.Add((message, connection, new List<ConnectionRoute>()));
                    break;
                case { Command: SyncRouteCommand route }:
                    AttachRoute(message, route, entries, problems);
                    break;
                case { Kind: SyncMessageKind.Ignored, Note: { } note }:
                    problems.Add(new ConnectionTableProblem($"{Where(message)}: {note}; skipped", false, message.Line, message.Offset));
                    break;
            }
        }

        var definitions = new List<AnytunConnectionDefinition>(entries.Count);
        foreach (var (message, command, routes) in entries)
        {
            if (ToDefinition(message, command, routes, problems) is { } definition)
            {
                definitions.Add(definition);
            }
        }

        return new ConnectionTableImportResult(definitions, problems);
    }

    /// <summary>Routes point to a mux: the latest connection entry of that mux before the route, else the first after it.</summary>
    private static void AttachRoute(
        SyncMessage message,
        SyncRouteCommand route,
        List<(SyncMessage Message, SyncConnectionCommand Command, List<ConnectionRoute> Routes)> entries,
        List<ConnectionTableProblem> problems)
    {
        if (route.Address is null)
        {
            problems.Add(new ConnectionTableProblem($"{Where(message)}: {route} is an Ethernet route, which connection definitions cannot hold; skipped", false, message.Line, message.Offset));
            return;
        }

        var max = route.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        if (route.PrefixLength > max)
        {
            problems.Add(new ConnectionTableProblem(string.Create(CultureInfo.InvariantCulture, $"{Where(message)}: {route} has a prefix length above {max}; skipped"), false, message.Line, message.Offset));
            return;
        }

        var converted = new ConnectionRoute(route.Address, route.PrefixLength);
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].Command.Mux == route.Mux)
            {
                entries[i].Routes.Add(converted);
                return;
            }
        }

        // anytun-config writes the connection first; a route before any entry of its mux is from a hand-edited table.
        problems.Add(new ConnectionTableProblem(string.Create(CultureInfo.InvariantCulture, $"{Where(message)}: {route} comes before any connection entry for mux {route.Mux}; skipped"), false, message.Line, message.Offset));
    }

    private static AnytunConnectionDefinition? ToDefinition(
        SyncMessage message, SyncConnectionCommand command, List<ConnectionRoute> routes, List<ConnectionTableProblem> problems)
    {
        KeyDerivationPrf? prf = command.KeyLengthBits switch
        {
            0 => KeyDerivationPrf.Null,
            128 => KeyDerivationPrf.AesCtr128,
            192 => KeyDerivationPrf.AesCtr192,
            256 => KeyDerivationPrf.AesCtr256,
            _ => null,
        };
        if (prf is null)
        {
            problems.Add(new ConnectionTableProblem(string.Create(CultureInfo.InvariantCulture, $"{Where(message)}: connection {command.Mux} has a key length of {command.KeyLengthBits} bits, which no kd-prf has; skipped"), false, message.Line, message.Offset));
            return null;
        }

        var (host, family) = command.RemoteHost switch
        {
            "0.0.0.0" => ((string?)null, AddressFamilyPreference.Any),
            "::" => (null, AddressFamilyPreference.IPv6Only),
            _ => (command.RemoteHost, AddressFamilyPreference.Any),
        };
        if (host is not null && !IPAddress.TryParse(host, out _))
        {
            problems.Add(new ConnectionTableProblem($"{Where(message)}: connection {command.Mux} has the remote '{host}', which is not an address; skipped", false, message.Line, message.Offset));
            return null;
        }

        try
        {
            return new AnytunConnectionDefinition(
                command.Mux,
                host,
                command.RemotePort,
                family,
                command.WindowSize,
                prf.Value,
                command.Role,
                passphrase: null,
                key: prf == KeyDerivationPrf.Null || command.MasterKey.Length == 0 ? null : command.MasterKey,
                salt: prf == KeyDerivationPrf.Null || command.MasterSalt.Length == 0 ? null : command.MasterSalt,
                routes);
        }
        catch (AnytunException ex)
        {
            problems.Add(new ConnectionTableProblem($"{Where(message)}: connection {command.Mux}: {ex.Message}; skipped", false, message.Line, message.Offset));
            return null;
        }
    }

    private static string Where(SyncMessage message) => message.Line is { } line
        ? string.Create(CultureInfo.InvariantCulture, $"line {line}")
        : string.Create(CultureInfo.InvariantCulture, $"offset {message.Offset}");
}
