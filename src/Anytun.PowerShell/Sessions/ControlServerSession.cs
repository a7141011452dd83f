using Anytun.Engine.Control;
using Microsoft.Extensions.Logging;

namespace Anytun;

/// <summary>
/// One started control server as the module tracks it: the engine server, where its log goes, and (unless run with
/// -Wait) its job. Stopping is idempotent and removes it from <see cref="Registry"/>.
/// </summary>
internal sealed class ControlServerSession : IRegisteredSession
{
    private readonly CancellationTokenSource _stopRequested = new();
    private readonly ILoggerFactory _loggers;
    private readonly object _gate = new();
    private Task? _stopTask;

    internal ControlServerSession(string name, ControlServer server, ILoggerFactory loggers, string commandLine)
    {
        Name = name;
        Server = server;
        _loggers = loggers;
        CommandLine = commandLine;
        StartTime = DateTime.Now;
    }

    /// <summary>Every control server of this process, by name.</summary>
    internal static SessionRegistry<ControlServerSession> Registry { get; } = new("controlserver");

    public string Name { get; }

    internal ControlServer Server { get; }

    /// <summary>The equivalent anytun-controld command line (or a description of piped definitions).</summary>
    internal string CommandLine { get; }

    internal DateTime StartTime { get; }

    internal AnytunControlServerJob? Job { get; set; }

    /// <summary>Cancelled when someone asks a foreground (-Wait) server to stop.</summary>
    internal CancellationToken StopRequested => _stopRequested.Token;

    public Task RequestStopAsync()
    {
        var job = Job;
        if (job is not null)
        {
            return Task.Run(job.StopJob);
        }

        try
        {
            _stopRequested.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }

        return StopAsync();
    }

    /// <summary>Stops the server (once), then forgets it.</summary>
    internal Task StopAsync()
    {
        lock (_gate)
        {
            return _stopTask ??= StopCoreAsync();
        }
    }

    internal AnytunControlServer ToOutput() => new(this);

    private async Task StopCoreAsync()
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
