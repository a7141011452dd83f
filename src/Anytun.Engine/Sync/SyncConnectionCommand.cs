using System.Globalization;
using System.Net;
using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;

namespace Anytun.Engine.Sync;

/// <summary>
/// A "connection" sync command (spec §1.3.1): everything anytun carries about one mux. Owns copies of the master
/// salt and key; <see cref="Dispose"/> zeroes them. <see cref="ToString"/> never shows key material.
/// </summary>
public sealed class SyncConnectionCommand : SyncCommand, IDisposable
{
    /// <summary>
    /// Creates a command; <paramref name="masterSalt"/> and <paramref name="masterKey"/> are copied, and
    /// <paramref name="remoteHost"/> is the endpoint address as anytun writes it ("0.0.0.0" when unknown).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="remoteHost"/> is not an address anytun can read.</exception>
    public SyncConnectionCommand(
        ushort mux,
        Role role,
        ushort keyLengthBits,
        SecretBytes masterSalt,
        SecretBytes masterKey,
        uint windowSize,
        uint sequenceNumber,
        string remoteHost,
        ushort remotePort)
        : this(mux, role, keyLengthBits, Copy(masterSalt), Copy(masterKey), windowSize, sequenceNumber, remoteHost, ParseHost(remoteHost), remotePort)
    {
    }

    /// <summary>Takes ownership of <paramref name="masterSalt"/> and <paramref name="masterKey"/> (the reader's path).</summary>
    internal SyncConnectionCommand(
        ushort mux,
        Role role,
        ushort keyLengthBits,
        SecretBytes masterSalt,
        SecretBytes masterKey,
        uint windowSize,
        uint sequenceNumber,
        string remoteHost,
        IPAddress remoteAddress,
        ushort remotePort)
    {
        Mux = mux;
        Role = role;
        KeyLengthBits = keyLengthBits;
        MasterSalt = masterSalt;
        MasterKey = masterKey;
        WindowSize = windowSize;
        SequenceNumber = sequenceNumber;
        RemoteHost = remoteHost;
        RemoteAddress = remoteAddress;
        RemotePort = remotePort;
    }

    public override string CommandWord => SyncArchive.ConnectionWord;

    /// <summary>The connection-table key.</summary>
    public ushort Mux { get; }

    public Role Role { get; }

    /// <summary>Master key length in bits (128/192/256; 0 for the null kd-prf). anytun re-keys only when it matches the key.</summary>
    public ushort KeyLengthBits { get; }

    /// <summary>Master salt (14 bytes normally, empty when unset).</summary>
    public SecretBytes MasterSalt { get; }

    /// <summary>Master key (<see cref="KeyLengthBits"/>/8 bytes normally, empty when unset).</summary>
    public SecretBytes MasterKey { get; }

    /// <summary>Replay window size (only the size travels, never the window contents).</summary>
    public uint WindowSize { get; }

    /// <summary>The sender's outbound sequence counter for this mux when the command was sent.</summary>
    public uint SequenceNumber { get; }

    /// <summary>The endpoint address exactly as written on the wire (e.g. "0.0.0.0", "2001:db8::5").</summary>
    public string RemoteHost { get; }

    /// <summary><see cref="RemoteHost"/> parsed.</summary>
    public IPAddress RemoteAddress { get; }

    public ushort RemotePort { get; }

    /// <summary>
    /// Whether a receiver applies the endpoint (spec §1.5 step 5): not the unset endpoint (0.0.0.0 port 0) and the host
    /// is not "0.0.0.0" or "::". anytun-config writes 0.0.0.0 with the -o port, anytun writes 0.0.0.0 port 0.
    /// </summary>
    public bool HasRemoteEndpoint => IsKnownEndpoint(RemoteHost, RemoteAddress, RemotePort);

    /// <summary>The endpoint a receiver would store, or null when it keeps what it has.</summary>
    public IPEndPoint? RemoteEndPoint => HasRemoteEndpoint ? new IPEndPoint(RemoteAddress, RemotePort) : null;

    /// <summary>
    /// A command for <paramref name="remote"/> (null = unknown, written as 0.0.0.0 port 0 as anytun does); the host
    /// text is the address as anytun prints it. Salt and key are copied; null means empty.
    /// </summary>
    public static SyncConnectionCommand Create(
        ushort mux,
        Role role,
        ushort keyLengthBits,
        SecretBytes? masterSalt,
        SecretBytes? masterKey,
        uint windowSize,
        uint sequenceNumber,
        IPEndPoint? remote)
    {
        var address = remote?.Address ?? IPAddress.Any;
        return new SyncConnectionCommand(
            mux,
            role,
            keyLengthBits,
            Copy(masterSalt),
            Copy(masterKey),
            windowSize,
            sequenceNumber,
            InetAddressText.Format(address),
            address,
            (ushort)(remote?.Port ?? 0));
    }

    public void Dispose()
    {
        MasterSalt.Dispose();
        MasterKey.Dispose();
    }

    public override string ToString()
    {
        var remote = HasRemoteEndpoint ? FormatEndPoint(RemoteAddress, RemotePort) : $"not registered ({RemoteHost} port {RemotePort})";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"connection mux {Mux}: role {AlgorithmNames.ToName(Role)}, {KeyLengthBits}-bit key ({MasterKey.Length} key bytes, {MasterSalt.Length} salt bytes), window {WindowSize}, seq {SequenceNumber}, remote {remote}");
    }

    internal static bool IsKnownEndpoint(string host, IPAddress address, ushort port)
    {
        var unset = port == 0 && address.Equals(IPAddress.Any);
        return !unset && host is not ("0.0.0.0" or "::" or "[::]");
    }

    /// <summary>boost's endpoint text: "a.b.c.d:port" or "[v6]:port".</summary>
    internal static string FormatEndPoint(IPAddress address, ushort port)
    {
        var text = InetAddressText.Format(address);
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{text}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{text}:{port}");
    }

    private static SecretBytes Copy(SecretBytes? secret) => secret?.Clone() ?? SecretBytes.FromBytes(default);

    private static IPAddress ParseHost(string remoteHost)
    {
        ArgumentNullException.ThrowIfNull(remoteHost);
        if (!InetAddressText.TryParse(Encoding.Latin1.GetBytes(remoteHost), out var address))
        {
            throw new ArgumentException($"'{remoteHost}' is not an IPv4 or IPv6 address in the form anytun reads (e.g. 192.0.2.1, 2001:db8::1).", nameof(remoteHost));
        }

        return address;
    }
}
