namespace Anytun.Engine.Configuration;

/// <summary>
/// Display names of the anytun options ("-K/--key"), used as <see cref="AnytunException.Target"/> and in messages
/// so an error always names the option the way the user knows it from anytun.
/// </summary>
public static class OptionNames
{
    public const string Help = "-h/--help";
    public const string Version = "-v/--version";
    public const string NoDaemonize = "-D/--nodaemonize";
    public const string Username = "-u/--username";
    public const string Groupname = "-g/--groupname";
    public const string Chroot = "-C/--chroot";
    public const string PidFile = "-P/--write-pid";
    public const string Log = "-L/--log";
    public const string Debug = "-U/--debug";
    public const string Interface = "-i/--interface";
    public const string Port = "-p/--port";
    public const string SenderId = "-s/--sender-id";
    public const string RemoteHost = "-r/--remote-host";
    public const string RemotePort = "-o/--remote-port";
    public const string IPv4Only = "-4/--ipv4-only";
    public const string IPv6Only = "-6/--ipv6-only";
    public const string SyncInterface = "-I/--sync-interface";
    public const string SyncPort = "-S/--sync-port";
    public const string SyncHosts = "-M/--sync-hosts";
    public const string ControlHost = "-X/--control-host";
    public const string Device = "-d/--dev";
    public const string Type = "-t/--type";
    public const string IfConfig = "-n/--ifconfig";
    public const string PostUpScript = "-x/--post-up-script";
    public const string Route = "-R/--route";
    public const string Mux = "-m/--mux";
    public const string WindowSize = "-w/--window-size";
    public const string KdPrf = "-k/--kd-prf";
    public const string Role = "-e/--role";
    public const string Passphrase = "-E/--passphrase";
    public const string Key = "-K/--key";
    public const string Salt = "-A/--salt";
    public const string Cipher = "-c/--cipher";
    public const string AuthAlgo = "-a/--auth-algo";
    public const string AuthTagLength = "-b/--auth-tag-length";

    /// <summary>Module-only (anytun has no such flag): the parameter names themselves.</summary>
    public const string MulticastTtl = "-MulticastTtl";

    public const string MulticastInterface = "-MulticastInterface";

    public const string MulticastGroup = "-JoinMulticastGroup";

    /// <summary>anytun-controld's table file.</summary>
    public const string File = "-f/--file";
}
