namespace Anytun.Engine.Configuration;

/// <summary>Destination of an anytun -L log target.</summary>
public enum LogTargetKind
{
    Syslog,
    File,
    Stdout,
    Stderr,
}
