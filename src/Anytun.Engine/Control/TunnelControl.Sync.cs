using System.Globalization;
using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Logging;
using Anytun.Engine.Protocol;
using Anytun.Engine.Routing;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Control;

/// <summary>Applying commands received on a sync or control-host connection (spec §1.5).</summary>
public sealed partial class TunnelControl
{
    /// <summary>At most this many routes may exist before a control host or sync peer adds no more (memory bound).</summary>
    public const int MaxSyncRoutes = 65_536;

    // anytun's placeholder key material for a mux it first hears of (connectionList.cpp): a connection whose command
    // carries unusable keys keeps these, exactly as in the reference.
    private static ReadOnlySpan<byte> PlaceholderKey => "abcdefghijklmnop"u8;

    private static ReadOnlySpan<byte> PlaceholderSalt => "abcdefghijklmn"u8;

    /// <summary>
    /// Applies commands from a control host (anytun-controld) or sync peer in order, with anytun's receiver rules
    /// (spec §1.5): a connection command creates the mux if needed, replaces role and keys (kept when the key length
    /// does not match the key or the salt is not 14 bytes, as anytun), sets the window size (keeping replay state) and
    /// overwrites the send sequence (it may go backwards); its remote applies only when known, so an unknown endpoint
    /// (0.0.0.0, ::) never erases a learned one. A route command points its prefix (length clamped to 32/128) at the
    /// mux, replacing what the prefix pointed at; routes are never removed (merge). Ethernet routes are ignored.
    /// One lock, one route-table rebuild per call.
    /// </summary>
    /// <param name="commands">Commands in stream order; the caller keeps and disposes them.</param>
    /// <param name="origin">Who sent them (<see cref="EntryOrigin.ControlHost"/> or <see cref="EntryOrigin.Sync"/>).</param>
    /// <param name="source">The peer as the user wrote it, for log lines.</param>
    /// <exception cref="AnytunException">InvalidSyncData: the route table reached <see cref="MaxSyncRoutes"/> (the
    /// commands before were applied); TunnelStopped.</exception>
    public ConfigurationChanges ApplySyncCommands(IReadOnlyList<SyncCommand> commands, EntryOrigin origin, string source)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(source);
        var changes = new List<TunnelChange>();
        lock (_lock)
        {
            ThrowIfStopped();
            try
            {
                foreach (var command in commands)
                {
                    switch (command)
                    {
                        case SyncConnectionCommand connection:
                            ApplySyncConnection(connection, origin, source, changes);
                            break;
                        case SyncRouteCommand route:
                            ApplySyncRoute(route, origin, source, changes);
                            break;
                    }
                }
            }
            finally
            {
                // Field by field, like anytun: what was applied before a failure stays.
                Commit(origin, changes);
            }
        }

        Publish(changes);
        return new ConfigurationChanges(changes);
    }

    private void ApplySyncConnection(SyncConnectionCommand command, EntryOrigin origin, string source, List<TunnelChange> changes)
    {
        var window = command.WindowSize;
        if (window > ReplayWindow.MaxSize)
        {
            ControlHostLog.WindowClamped(_logger, source, command.Mux, window, ReplayWindow.MaxSize);
            window = ReplayWindow.MaxSize;
        }

        RemoteHost? remote = null;
        if (command.RemoteEndPoint is { } endPoint)
        {
            remote = new RemoteHost(InetAddressText.Format(endPoint.Address), endPoint.Port);
            try
            {
                _ = LiteralEndpoint(remote);
            }
            catch (AnytunException)
            {
                ControlHostLog.RemoteFamilyExcluded(_logger, source, command.Mux, SyncConnectionCommand.FormatEndPoint(endPoint.Address, (ushort)endPoint.Port));
                remote = null;
            }
        }

        var connection = Connections.Find(command.Mux);
        if (connection is null)
        {
            using var placeholder = PlaceholderKeys();
            var keys = BuildSyncKeys(command, placeholder, source);
            var created = NewConnection(command.Mux, keys, remote, window, command.SequenceNumber, origin);
            try
            {
                AddCreated(created, changes);
                return;
            }
            catch (AnytunException exception) when (exception.Code == AnytunErrorCode.ConnectionAlreadyExists)
            {
                // A receiver learned the mux just now (empty table, no -r): apply to that connection instead.
                connection = Connections.Find(command.Mux)!;
            }
        }

        UpdateConnection(connection, BuildSyncKeys(command, connection.Keys, source), remote, window, command.SequenceNumber, origin, changes);
    }

    private void ApplySyncRoute(SyncRouteCommand command, EntryOrigin origin, string source, List<TunnelChange> changes)
    {
        if (command.Address is not { } address)
        {
            ControlHostLog.EthernetRouteIgnored(_logger, source, command.ToString());
            return;
        }

        var maxLength = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var prefix = new IPPrefix(address, Math.Min((int)command.PrefixLength, maxLength));
        if (!_routes.TryGet(prefix, out _) && _routes.Count >= MaxSyncRoutes)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidSyncData,
                string.Create(CultureInfo.InvariantCulture, $"{source} sent more routes than the {MaxSyncRoutes} a tunnel keeps; route {prefix} -> {command.Mux} and the rest of the stream were not applied."),
                source);
        }

        _routes.Set(prefix, command.Mux, origin, changes);
    }

    /// <summary>
    /// The keys a connection command asks for (anytun's KeyDerivation::updateMasterKey): its role always; its key and
    /// salt only when the key has the command's key length (128/192/256 bits, which also picks the kd-prf) and the
    /// salt 14 bytes, else <paramref name="current"/>'s material stays. The local null kd-prf stays null.
    /// </summary>
    private ConnectionKeys BuildSyncKeys(SyncConnectionCommand command, ConnectionKeys current, string source)
    {
        if (Algorithms.KdPrf == KeyDerivationPrf.Null)
        {
            return ConnectionKeys.Create(KeyDerivationPrf.Null, command.Role, default, default);
        }

        KeyDerivationPrf? kdPrf = command.KeyLengthBits switch
        {
            128 => KeyDerivationPrf.AesCtr128,
            192 => KeyDerivationPrf.AesCtr192,
            256 => KeyDerivationPrf.AesCtr256,
            _ => null,
        };
        string? problem = null;
        if (command.MasterKey.Length * 8 != command.KeyLengthBits)
        {
            problem = "key lengths don't match";
        }
        else if (command.MasterSalt.Length != SatpKeyDerivation.SaltLength)
        {
            problem = "salt lengths don't match";
        }
        else if (kdPrf is null)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"cipher key length of {command.KeyLengthBits} bits is not supported");
        }

        if (problem is not null)
        {
            ControlHostLog.KeysNotApplied(_logger, source, command.Mux, problem, command.MasterKey.Length, command.KeyLengthBits, command.MasterSalt.Length);
            return ConnectionKeys.Create(current.KdPrf, command.Role, current.MasterKey, current.MasterSalt);
        }

        return ConnectionKeys.Create(kdPrf!.Value, command.Role, command.MasterKey.Span, command.MasterSalt.Span);
    }

    private ConnectionKeys PlaceholderKeys() => Algorithms.KdPrf == KeyDerivationPrf.Null
        ? ConnectionKeys.Create(KeyDerivationPrf.Null, Role.Left, default, default)
        : ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, PlaceholderKey, PlaceholderSalt);
}
