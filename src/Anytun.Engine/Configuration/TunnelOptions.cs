using Anytun.Engine.Crypto;
using Anytun.Engine.Routing;

namespace Anytun.Engine.Configuration;

/// <summary>
/// Every option of anytun 0.3.8 with anytun's defaults. Data-plane options drive the engine; control-plane and
/// process options are kept so a pasted anytun command line round-trips and <see cref="EnsureSupported"/> can
/// refuse what is not implemented yet instead of silently ignoring it.
/// The options own their <see cref="SecretBytes"/>: <see cref="Dispose"/> zeroes them.
/// </summary>
public sealed class TunnelOptions : IDisposable
{
    public const int DefaultPort = 4444;

    private SecretBytes? _passphrase;
    private SecretBytes? _key;
    private SecretBytes? _salt;

    public const int DefaultAuthTagLength = 10;

    /// <summary>SHA-1 digest size: the longest tag sha1 can produce.</summary>
    public const int MaxAuthTagLength = 20;

    /// <summary>Linux IFNAMSIZ − 1.</summary>
    public const int MaxDeviceNameLength = 15;

    // ---- device (-t -d -n -x)

    /// <summary>-t; null = take it from the first three characters of <see cref="DeviceName"/>, else tun.</summary>
    public DeviceType? DeviceType { get; set; }

    /// <summary>-d; null = the kernel picks tunN/tapN.</summary>
    public string? DeviceName { get; set; }

    /// <summary>-n; null = leave the device unconfigured (down).</summary>
    public IfConfig? IfConfig { get; set; }

    /// <summary>-x; run once after the device exists (argv: script, device name, /dev/net/tun).</summary>
    public string? PostUpScript { get; set; }

    // ---- outer transport (-i -p -r -o -4 -6)

    /// <summary>-i; null = all local addresses.</summary>
    public string? LocalAddress { get; set; }

    /// <summary>-p.</summary>
    public int LocalPort { get; set; } = DefaultPort;

    /// <summary>-r; null = learn the remote from the first datagram (autodetect).</summary>
    public string? RemoteHost { get; set; }

    /// <summary>-o; only meaningful with <see cref="RemoteHost"/>.</summary>
    public int RemotePort { get; set; } = DefaultPort;

    /// <summary>-4 / -6.</summary>
    public AddressFamilyPreference AddressFamily { get; set; }

    // ---- SATP (-m -s -w -k -e -c -a -b -E -K -A)

    /// <summary>-m.</summary>
    public ushort Mux { get; set; }

    /// <summary>-s.</summary>
    public ushort SenderId { get; set; }

    /// <summary>-w; 0 disables replay protection (anytun's default); at most <see cref="Protocol.ReplayWindow.MaxSize"/>.</summary>
    public uint WindowSize { get; set; }

    /// <summary>-k; forced to null when cipher and auth are null (see <see cref="EffectiveKdPrf"/>).</summary>
    public KeyDerivationPrf KdPrf { get; set; } = KeyDerivationPrf.AesCtr128;

    /// <summary>-e.</summary>
    public Role Role { get; set; }

    /// <summary>-c.</summary>
    public CipherAlgorithm Cipher { get; set; } = CipherAlgorithm.AesCtr128;

    /// <summary>-a.</summary>
    public AuthAlgorithm Auth { get; set; } = AuthAlgorithm.Sha1;

    /// <summary>-b as requested; the value used on the wire is <see cref="EffectiveTagLength"/>.</summary>
    public int AuthTagLength { get; set; } = DefaultAuthTagLength;

    /// <summary>-E; master key and salt come from it unless -K / -A are given (each independently). The options own the
    /// secret: setting another one zeroes the one it replaces.</summary>
    public SecretBytes? Passphrase
    {
        get => _passphrase;
        set => _passphrase = SecretBytes.Replace(_passphrase, value);
    }

    /// <summary>-K; master key, length must match the kd-prf (owned like <see cref="Passphrase"/>).</summary>
    public SecretBytes? Key
    {
        get => _key;
        set => _key = SecretBytes.Replace(_key, value);
    }

    /// <summary>-A; master salt, 14 bytes (owned like <see cref="Passphrase"/>).</summary>
    public SecretBytes? Salt
    {
        get => _salt;
        set => _salt = SecretBytes.Replace(_salt, value);
    }

    /// <summary>-R, one entry per prefix (net/len), all to <see cref="Mux"/>; repeatable and comma separated on the
    /// command line. In the route table from the start; used once routing is on (spec §5.2).</summary>
    public List<IPPrefix> Routes { get; } = new();

    /// <summary>Hop limit (IP TTL / IPv6 hops) of datagrams sent to a multicast remote; null = the kernel's 1, as
    /// anytun (which sets no multicast option). No anytun flag: set by the cmdlets' -MulticastTtl.</summary>
    public int? MulticastTtl { get; set; }

    /// <summary>Interface name datagrams to a multicast remote leave from; null = the kernel's choice (the interface of
    /// -i's address, or the multicast route). No anytun flag: set by the cmdlets' -MulticastInterface.</summary>
    public string? MulticastInterface { get; set; }

    /// <summary>Multicast groups the tunnel's sockets join (on <see cref="MulticastInterface"/>, or the kernel's
    /// choice), so datagrams a peer sends to a group reach it. anytun never joins (spec dataplane §12.4): there some
    /// other program must hold the membership. Only sockets bound to the wildcard (no -i) receive group datagrams.</summary>
    public List<System.Net.IPAddress> MulticastGroups { get; } = new();

    // ---- control plane / process options: parsed and kept, refused by EnsureSupported until implemented

    /// <summary>-I.</summary>
    public string? SyncInterface { get; set; }

    /// <summary>-S.</summary>
    public int? SyncPort { get; set; }

    /// <summary>-M, one entry per host[:port].</summary>
    public List<string> SyncHosts { get; } = new();

    /// <summary>-X host[:port].</summary>
    public string? ControlHost { get; set; }

    /// <summary>-u.</summary>
    public string? Username { get; set; }

    /// <summary>-g.</summary>
    public string? Groupname { get; set; }

    /// <summary>-C.</summary>
    public string? Chroot { get; set; }

    /// <summary>-P.</summary>
    public string? PidFile { get; set; }

    /// <summary>-L, in command-line order; the PowerShell layer maps stdout/stderr levels to its streams.</summary>
    public List<LogTarget> LogTargets { get; } = new();

    /// <summary>-D; the module always runs in the foreground, so this is informational.</summary>
    public bool NoDaemonize { get; set; }

    /// <summary>-U (anytun: stdout:5 and -D).</summary>
    public bool Debug { get; set; }

    // ---- derived values

    /// <summary>Tag length on the wire: 0 with null auth, otherwise -b clamped to 0..20.</summary>
    public int EffectiveTagLength =>
        Auth == AuthAlgorithm.Null ? 0 : Math.Clamp(AuthTagLength, 0, MaxAuthTagLength);

    /// <summary>anytun forces the null kd-prf when both cipher and auth are null.</summary>
    public KeyDerivationPrf EffectiveKdPrf =>
        Cipher == CipherAlgorithm.Null && Auth == AuthAlgorithm.Null ? KeyDerivationPrf.Null : KdPrf;

    /// <summary>-t, else the first three characters of -d ("tap…" = tap), else tun (observed anytun default).</summary>
    public DeviceType EffectiveDeviceType
    {
        get
        {
            if (DeviceType is { } type)
            {
                return type;
            }

            return DeviceName is not null && AlgorithmNames.TryParseDeviceType(DeviceName, out var fromName)
                ? fromName
                : Configuration.DeviceType.Tun;
        }
    }

    /// <summary>
    /// Checks every value; throws <see cref="AnytunException"/> (<see cref="AnytunErrorCode.InvalidOption"/>, Target =
    /// the option) for the first error and returns the warnings anytun would log (same texts where anytun has one).
    /// Secret values are described by length only.
    /// </summary>
    public IReadOnlyList<string> Validate() => TunnelOptionsValidator.Validate(this);

    /// <summary>
    /// Throws <see cref="AnytunErrorCode.NotSupportedYet"/> naming the first option that is parsed but not implemented
    /// (sync, control host, routes, user/group, chroot, pid file, syslog/file log targets).
    /// </summary>
    public void EnsureSupported() => TunnelOptionsSupport.EnsureSupported(this);

    /// <summary>Master key and salt from -K/-A or the passphrase (spec §3.1); validates the key material first.</summary>
    public MasterKeyMaterial GetMasterKeyAndSalt() => MasterKeyMaterial.FromOptions(this);

    /// <summary>Deep copy; secrets are copied too, so each copy owns (and disposes) its own.</summary>
    public TunnelOptions Clone()
    {
        var copy = new TunnelOptions
        {
            DeviceType = DeviceType,
            DeviceName = DeviceName,
            IfConfig = IfConfig,
            PostUpScript = PostUpScript,
            LocalAddress = LocalAddress,
            LocalPort = LocalPort,
            RemoteHost = RemoteHost,
            RemotePort = RemotePort,
            AddressFamily = AddressFamily,
            Mux = Mux,
            SenderId = SenderId,
            WindowSize = WindowSize,
            KdPrf = KdPrf,
            Role = Role,
            Cipher = Cipher,
            Auth = Auth,
            AuthTagLength = AuthTagLength,
            Passphrase = Passphrase?.Clone(),
            Key = Key?.Clone(),
            Salt = Salt?.Clone(),
            MulticastTtl = MulticastTtl,
            MulticastInterface = MulticastInterface,
            SyncInterface = SyncInterface,
            SyncPort = SyncPort,
            ControlHost = ControlHost,
            Username = Username,
            Groupname = Groupname,
            Chroot = Chroot,
            PidFile = PidFile,
            NoDaemonize = NoDaemonize,
            Debug = Debug,
        };
        copy.Routes.AddRange(Routes);
        copy.MulticastGroups.AddRange(MulticastGroups);
        copy.SyncHosts.AddRange(SyncHosts);
        copy.LogTargets.AddRange(LogTargets);
        return copy;
    }

    /// <summary>The anytun command line with secrets shown as ***.</summary>
    public override string ToString() => AnytunCommandLine.Format(this);

    /// <summary>Zeroes and drops the passphrase, key and salt.</summary>
    public void Dispose()
    {
        Passphrase = null;
        Key = null;
        Salt = null;
    }
}
