using Anytun.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>
/// The logger providers a tunnel's -L targets ask for (and -U/--debug, which adds stdout:5 as in anytun). Add them to
/// the <see cref="ILoggerFactory"/> given to <see cref="Runtime.Tunnel.Create"/>; the factory disposes them (closes
/// files and sockets). Unlike anytun, no syslog target is added when none is given: the host decides where a tunnel's
/// log goes by default.
/// </summary>
public static class LogTargetProviders
{
    /// <summary>One provider per target of <paramref name="options"/>.</summary>
    /// <exception cref="AnytunException">InvalidOption when a log file cannot be opened.</exception>
    public static IReadOnlyList<ILoggerProvider> Create(TunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var providers = new List<ILoggerProvider>();
        try
        {
            foreach (var target in EffectiveTargets(options))
            {
                if (target.Level <= AnytunLogLevels.Off)
                {
                    continue;
                }

                providers.Add(target.Kind == LogTargetKind.Syslog ? new SyslogLogTargetProvider(target) : TextLogTargetProvider.Create(target));
            }
        }
        catch
        {
            foreach (var provider in providers)
            {
                provider.Dispose();
            }

            throw;
        }

        return providers;
    }

    /// <summary>The lowest engine level any target of <paramref name="options"/> shows (None without targets).</summary>
    public static LogLevel MinimumLevel(TunnelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var minimum = LogLevel.None;
        foreach (var target in EffectiveTargets(options))
        {
            var level = AnytunLogLevels.MinimumLevel(target.Level);
            if (level < minimum)
            {
                minimum = level;
            }
        }

        return minimum;
    }

    /// <summary>-L targets plus stdout:5 for -U (raising a given stdout target to 5).</summary>
    internal static IReadOnlyList<LogTarget> EffectiveTargets(TunnelOptions options)
    {
        if (!options.Debug)
        {
            return options.LogTargets;
        }

        var targets = new List<LogTarget>();
        foreach (var target in options.LogTargets)
        {
            if (target.Kind != LogTargetKind.Stdout)
            {
                targets.Add(target);
            }
        }

        targets.Add(new LogTarget(LogTargetKind.Stdout, AnytunLogLevels.Debug));
        return targets;
    }
}
