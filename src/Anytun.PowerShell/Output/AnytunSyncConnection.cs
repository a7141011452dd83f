using System.Net;
using Anytun.Engine.Sync;

namespace Anytun;

/// <summary>
/// A connection entry of a sync stream or connection table (ConvertFrom-AnytunSyncStream): what anytun-showtables
/// prints as "Client &lt;mux&gt;: &lt;remote&gt;", with the rest of the entry. The key material is not kept; HasKey
/// and HasSalt say whether the entry carried it.
/// </summary>
public sealed class AnytunSyncConnection : AnytunSyncEntry
{
    internal AnytunSyncConnection(SyncConnectionCommand command, string source, long offset, int? line)
        : base("Connection", command.Mux, source, offset, line)
    {
        RemoteEndPoint = command.RemoteEndPoint;
        RemoteAddress = command.RemoteHost;
        RemotePort = command.RemotePort;
        Role = EngineEnumMap.FromEngine(command.Role);
        KeyLength = command.KeyLengthBits;
        KdPrf = command.KeyLengthBits switch
        {
            0 => AnytunKdPrf.Null,
            128 => AnytunKdPrf.AesCtr128,
            192 => AnytunKdPrf.AesCtr192,
            256 => AnytunKdPrf.AesCtr256,
            _ => null,
        };
        HasKey = command.MasterKey.Length > 0;
        HasSalt = command.MasterSalt.Length > 0;
        WindowSize = command.WindowSize;
        SequenceNumber = command.SequenceNumber;
    }

    /// <summary>The remote endpoint; null when the entry has none ("not registered": 0.0.0.0, ::, or port 0).</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The remote address exactly as written in the entry.</summary>
    public string RemoteAddress { get; }

    public int RemotePort { get; }

    /// <summary>The role the entry gives the receiving side.</summary>
    public AnytunRole Role { get; }

    /// <summary>Key length in bits (what the entry carries instead of the kd-prf).</summary>
    public int KeyLength { get; }

    /// <summary>The kd-prf with that key length; null for a length no kd-prf has.</summary>
    public AnytunKdPrf? KdPrf { get; }

    public bool HasKey { get; }

    public bool HasSalt { get; }

    public uint WindowSize { get; }

    /// <summary>The sender's outbound sequence counter for this mux when it sent the entry.</summary>
    public uint SequenceNumber { get; }

    public override string Entry => RemoteEndPoint?.ToString() ?? "not registered";

    public override string ToString() => $"Client {Mux}: {Entry}";
}
