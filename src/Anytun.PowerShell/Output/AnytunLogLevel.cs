namespace Anytun;

/// <summary>Severity of an <see cref="AnytunLogRecord"/> (the levels of Microsoft.Extensions.Logging).</summary>
public enum AnytunLogLevel
{
    Trace,
    Debug,
    Information,
    Warning,
    Error,
    Critical,
}
