using Anytun.Engine.Control;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// One started control server as the module tracks it: the engine server, where its log goes, and (unless run with
/// -Wait) its job. Stopping is idempotent and removes it from <see cref="Registry"/>.
/// </summary>
internal sealed class ControlServerSession : StoppableSession
{
    private readonly ILoggerFactory _loggers;

    internal ControlServerSession(string name, ControlServer server, ILoggerFactory loggers, string commandLine)
        : base(name)
    {
        Server = server;
        _loggers = loggers;
        CommandLine = commandLine;
        StartTime = DateTime.Now;
    }

    /// <summary>Every control server of this process, by name.</summary>
    internal static SessionRegistry<ControlServerSession> Registry { get; } = new("controlserver");

    internal ControlServer Server { get; }

    /// <summary>The equivalent anytun-controld command line (or a description of piped definitions).</summary>
    internal string CommandLine { get; }

    internal DateTime StartTime { get; }

    internal AnytunControlServerJob? Job { get; set; }

    private protected override AnytunJob? OwningJob => Job;

    internal AnytunControlServer ToOutput() => new(this);

    private protected override async Task StopCoreAsync()
    {
        try
        {
            await Server.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            Registry.Remove(this);
            _loggers.Dispose();
        }
    }
}
