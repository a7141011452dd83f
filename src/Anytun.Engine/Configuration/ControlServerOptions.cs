using Anytun.Engine.Sync;

namespace Anytun.Engine.Configuration;

/// <summary>
/// What an anytun-controld command line asks for (spec §3): the table file to serve and the address to listen on,
/// plus the process options controld accepts. How the module treats the process options: -D (foreground) and
/// -L/-U (logging) are honoured by running in the PowerShell host with its streams; -u, -g, -C and -P (privilege
/// drop, chroot, pid file) are kept here for the control-server task to decide on (see <see cref="ProcessOptions"/>).
/// </summary>
public sealed class ControlServerOptions
{
    /// <summary>anytun-controld's default listen address, 127.0.0.1:2323.</summary>
    public static readonly SyncPeerAddress DefaultListen = SyncPeerAddress.Parse("127.0.0.1:2323", OptionNames.ControlHost);

    internal ControlServerOptions(
        string? filePath,
        SyncPeerAddress listen,
        bool noDaemonize,
        string? username,
        string? groupname,
        string? chroot,
        string? pidFile,
        IReadOnlyList<LogTarget> logTargets,
        bool debug)
    {
        FilePath = filePath;
        Listen = listen;
        NoDaemonize = noDaemonize;
        Username = username;
        Groupname = groupname;
        Chroot = chroot;
        PidFile = pidFile;
        LogTargets = logTargets;
        Debug = debug;
    }

    /// <summary>-f/--file: the table file (anytun-config output). controld exits with "unable to open file" without it.</summary>
    public string? FilePath { get; }

    /// <summary>-X/--control-host: where to listen; <see cref="SyncPeerAddress.IsAnyAddress"/> for ":port".</summary>
    public SyncPeerAddress Listen { get; }

    /// <summary>-D (or -U): stay in the foreground. The module always does.</summary>
    public bool NoDaemonize { get; }

    /// <summary>-u/--username.</summary>
    public string? Username { get; }

    /// <summary>-g/--groupname.</summary>
    public string? Groupname { get; }

    /// <summary>-C/--chroot.</summary>
    public string? Chroot { get; }

    /// <summary>-P/--write-pid.</summary>
    public string? PidFile { get; }

    /// <summary>-L/--log, in order.</summary>
    public IReadOnlyList<LogTarget> LogTargets { get; }

    /// <summary>-U/--debug.</summary>
    public bool Debug { get; }

    /// <summary>
    /// The process-level options that were given (-u, -g, -C, -P, as their display names): a server running inside
    /// pwsh cannot honour them the way a daemon does, so the caller decides whether to refuse or ignore them.
    /// </summary>
    public IReadOnlyList<string> ProcessOptions
    {
        get
        {
            var given = new List<string>();
            if (Username is not null)
            {
                given.Add(OptionNames.Username);
            }

            if (Groupname is not null)
            {
                given.Add(OptionNames.Groupname);
            }

            if (Chroot is not null)
            {
                given.Add(OptionNames.Chroot);
            }

            if (PidFile is not null)
            {
                given.Add(OptionNames.PidFile);
            }

            return given;
        }
    }

    public override string ToString() => $"anytun-controld serving {FilePath ?? "(no file)"} on {Listen}";
}
