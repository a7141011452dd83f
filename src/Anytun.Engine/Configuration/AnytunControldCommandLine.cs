using Anytun.Engine.Sync;

namespace Anytun.Engine.Configuration;

/// <summary>The anytun-controld 0.3.8 command line (spec §3): -h -v -D -u -g -C -P -L -U -f -X.</summary>
public static class AnytunControldCommandLine
{
    private const string Program = "anytun-controld";

    /// <summary>
    /// Parses anytun-controld arguments (an optional leading "anytun-controld" or path to it is skipped). Later
    /// occurrences win, -L accumulates. Unknown options and bad values throw InvalidOption naming the option.
    /// </summary>
    public static ControlServerOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? file = null, username = null, groupname = null, chroot = null, pidFile = null;
        var listen = ControlServerOptions.DefaultListen;
        var noDaemonize = false;
        var debug = false;
        var logTargets = new List<LogTarget>();
        var start = OptionArguments.FirstOption(args, Program);
        for (var i = start; i < args.Count; i++)
        {
            var token = args[i] ?? throw new ArgumentException($"Argument {i + 1} is null.", nameof(args));
            switch (token)
            {
                case "-h" or "--help" or "-v" or "--version":
                    throw OptionArguments.PrintsAndExits(token, i, Program);
                case "-D" or "--nodaemonize":
                    noDaemonize = true;
                    break;
                case "-U" or "--debug":
                    debug = true;
                    noDaemonize = true;
                    break;
                case "-u" or "--username":
                    username = OptionArguments.Take(args, ref i, OptionNames.Username, Program);
                    break;
                case "-g" or "--groupname":
                    groupname = OptionArguments.Take(args, ref i, OptionNames.Groupname, Program);
                    break;
                case "-C" or "--chroot":
                    chroot = OptionArguments.Take(args, ref i, OptionNames.Chroot, Program);
                    break;
                case "-P" or "--write-pid":
                    pidFile = OptionArguments.Take(args, ref i, OptionNames.PidFile, Program);
                    break;
                case "-L" or "--log":
                    logTargets.Add(OptionArguments.TakeLogTarget(args, ref i, Program));
                    break;
                case "-f" or "--file":
                    file = OptionArguments.Take(args, ref i, OptionNames.File, Program);
                    break;
                case "-X" or "--control-host":
                    listen = OptionArguments.AtPosition(
                        i + 2,
                        OptionArguments.Take(args, ref i, OptionNames.ControlHost, Program),
                        static v => SyncPeerAddress.Parse(v, OptionNames.ControlHost, allowAnyAddress: true));
                    break;
                default:
                    throw OptionArguments.Unknown(token, i, Program);
            }
        }

        return new ControlServerOptions(file, listen, noDaemonize, username, groupname, chroot, pidFile, logTargets, debug);
    }

    /// <summary><see cref="Parse"/> of a pasted command line (POSIX shell quoting).</summary>
    public static ControlServerOptions ParseCommandLine(string commandLine) => Parse(CommandLineTokenizer.Tokenize(commandLine));
}
