using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;
using Anytun.Engine.Routing;

namespace Anytun.Engine.Control;

/// <summary>
/// What a writer asks for one connection (by mux): remote, key material, window size, routes. A request object: the
/// control surface copies what it needs during the call. The spec owns its secrets; <see cref="Dispose"/> zeroes
/// them (setting a secret again disposes the one it replaces).
/// <para>
/// Unset (null) values mean, per call: <see cref="TunnelControl.AddConnection"/> and <see cref="TunnelControl.Apply"/>
/// take the tunnel's defaults (its command line's key material, role, kd-prf and -w);
/// <see cref="TunnelControl.SetConnection"/> keeps the connection's current value. A null <see cref="RemoteHost"/>
/// never erases a known remote (as anytun's sync: an unknown endpoint does not overwrite a known one).
/// </para>
/// </summary>
public sealed class ConnectionSpec : IDisposable
{
    private SecretBytes? _passphrase;
    private SecretBytes? _key;
    private SecretBytes? _salt;

    public ConnectionSpec(ushort mux)
    {
        Mux = mux;
    }

    public ushort Mux { get; }

    /// <summary>Remote host name or address literal; null = unknown (learned from the first authenticated datagram).
    /// A name is resolved in the background, retried every 10 s, honouring the tunnel's -4/-6.</summary>
    public string? RemoteHost { get; set; }

    /// <summary>Remote UDP port (with <see cref="RemoteHost"/>).</summary>
    public int RemotePort { get; set; } = TunnelOptions.DefaultPort;

    /// <summary>This side's role on the connection.</summary>
    public Role? Role { get; set; }

    /// <summary>kd-prf of the connection (its key length); forced to null when the tunnel's cipher and auth are null.</summary>
    public KeyDerivationPrf? KdPrf { get; set; }

    /// <summary>Master key and salt come from it unless <see cref="Key"/> / <see cref="Salt"/> are given (spec §3.1).</summary>
    public SecretBytes? Passphrase
    {
        get => _passphrase;
        set => _passphrase = SecretBytes.Replace(_passphrase, value);
    }

    /// <summary>Master key (length of the kd-prf).</summary>
    public SecretBytes? Key
    {
        get => _key;
        set => _key = SecretBytes.Replace(_key, value);
    }

    /// <summary>Master salt (14 bytes).</summary>
    public SecretBytes? Salt
    {
        get => _salt;
        set => _salt = SecretBytes.Replace(_salt, value);
    }

    /// <summary>Replay window size (0 = off, at most <see cref="Protocol.ReplayWindow.MaxSize"/>).</summary>
    public uint? WindowSize { get; set; }

    /// <summary>Overwrites the send sequence counter (sync carries the sender's snapshot). Null: keep / start at 0.</summary>
    public uint? NextSequence { get; set; }

    /// <summary>Routes to this connection. Null: none (add, apply) or keep (set); with set, an empty list removes them.</summary>
    public IList<IPPrefix>? Routes { get; set; }

    /// <summary>True when any key setting (role, kd-prf, passphrase, key, salt) is given.</summary>
    public bool HasKeySettings => Role is not null || KdPrf is not null || _passphrase is not null || _key is not null || _salt is not null;

    /// <summary>Zeroes and drops the passphrase, key and salt.</summary>
    public void Dispose()
    {
        Passphrase = null;
        Key = null;
        Salt = null;
    }

    public override string ToString()
    {
        var remote = RemoteHost is null ? "remote unknown" : $"remote {RemoteHost}:{RemotePort}";
        var secrets = _passphrase is not null ? ", passphrase ***" : _key is not null ? ", key ***" : string.Empty;
        return $"connection {Mux}: {remote}{secrets}";
    }
}
