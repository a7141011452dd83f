namespace Anytun.Engine.Configuration;

/// <summary>
/// Options the parser understands but the engine does not implement yet. Start refuses them by name rather than
/// running a tunnel that quietly differs from what the user asked for.
/// </summary>
internal static class TunnelOptionsSupport
{
    public static void EnsureSupported(TunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Refuse(options.SyncInterface is not null, OptionNames.SyncInterface, "synchronisation between cluster nodes");
        Refuse(options.SyncPort is not null, OptionNames.SyncPort, "synchronisation between cluster nodes");
        Refuse(options.SyncHosts.Count > 0, OptionNames.SyncHosts, "synchronisation between cluster nodes");
        Refuse(options.Username is not null, OptionNames.Username, "dropping privileges to another user");
        Refuse(options.Groupname is not null, OptionNames.Groupname, "dropping privileges to another group");
        Refuse(options.Chroot is not null, OptionNames.Chroot, "chroot");
        Refuse(options.PidFile is not null, OptionNames.PidFile, "writing a pid file");
    }

    private static void Refuse(bool present, string option, string feature)
    {
        if (present)
        {
            throw new AnytunException(
                AnytunErrorCode.NotSupportedYet,
                $"{option}: {feature} is not supported yet by this module.",
                option);
        }
    }
}
