using System.Globalization;

namespace Anytun.Engine.Configuration;

/// <summary>One anytun -L value: <c>target:level[,param1[,param2]]</c>.</summary>
public sealed class LogTarget
{
    private static readonly string[] SyslogFacilities =
    {
        "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    };

    public LogTarget(LogTargetKind kind, int level, IReadOnlyList<string>? parameters = null)
    {
        Kind = kind;
        Level = level;
        Parameters = parameters ?? Array.Empty<string>();
    }

    public LogTargetKind Kind { get; }

    /// <summary>0 off, 1 error, 2 warning, 3 notice, 4 info, 5 debug (larger values act like 5).</summary>
    public int Level { get; }

    /// <summary>syslog: logname, facility; file: path; stdout/stderr: none.</summary>
    public IReadOnlyList<string> Parameters { get; }

    public static LogTarget Parse(string value, string option = OptionNames.Log)
    {
        ArgumentNullException.ThrowIfNull(value);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw OptionErrors.Invalid(option, $"{option} '{value}' is missing ':<level>' (expected target:level[,params], e.g. stdout:5).");
        }

        var kindText = value[..colon];
        LogTargetKind kind = kindText switch
        {
            "syslog" => LogTargetKind.Syslog,
            "file" => LogTargetKind.File,
            "stdout" => LogTargetKind.Stdout,
            "stderr" => LogTargetKind.Stderr,
            _ => throw OptionErrors.Invalid(option, $"{option} '{value}': unknown log target '{kindText}' (syslog, file, stdout, stderr)."),
        };

        var parts = value[(colon + 1)..].Split(',');
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var level))
        {
            throw OptionErrors.Invalid(option, $"{option} '{value}': log level '{parts[0]}' must be a number from 0 to 5.");
        }

        var parameters = parts.Length > 1 ? parts[1..] : Array.Empty<string>();
        var target = new LogTarget(kind, level, parameters);
        target.Check(option);
        return target;
    }

    internal void Check(string option = OptionNames.Log)
    {
        if (Level < 0)
        {
            throw OptionErrors.Invalid(option, $"{option} '{this}': log level {Level} must be from 0 to 5.");
        }

        var maxParameters = Kind switch
        {
            LogTargetKind.Syslog => 2,
            LogTargetKind.File => 1,
            _ => 0,
        };
        if (Parameters.Count > maxParameters)
        {
            throw OptionErrors.Invalid(option, $"{option} '{this}': target {KindName(Kind)} takes at most {maxParameters} parameter(s).");
        }

        if (Kind == LogTargetKind.Syslog && Parameters.Count == 2 && Array.IndexOf(SyslogFacilities, Parameters[1]) < 0)
        {
            throw OptionErrors.Invalid(option, $"{option} '{this}': unknown syslog facility '{Parameters[1]}'.");
        }
    }

    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{KindName(Kind)}:{Level}");
        return Parameters.Count == 0 ? text : text + "," + string.Join(',', Parameters);
    }

    internal static string KindName(LogTargetKind kind) => kind switch
    {
        LogTargetKind.Syslog => "syslog",
        LogTargetKind.File => "file",
        LogTargetKind.Stdout => "stdout",
        LogTargetKind.Stderr => "stderr",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
