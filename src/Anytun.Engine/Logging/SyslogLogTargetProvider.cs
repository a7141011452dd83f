using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Anytun.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>
/// The syslog target of -L (<c>syslog:level[,ident[,facility]]</c>, default ident "anytun", facility daemon): RFC 3164
/// datagrams to the local syslog socket, as glibc's syslog(3) sends them for anytun's openlog(ident, LOG_PID, facility):
/// <c>&lt;PRI&gt;Mmm dd hh:mm:ss ident[pid]: message</c>. Without a listening syslog daemon a line is dropped, as with
/// syslog(3); nothing is thrown into an engine thread.
/// </summary>
internal sealed class SyslogLogTargetProvider : ILoggerProvider
{
    internal const string DefaultSocketPath = "/dev/log";
    private const string DefaultIdent = "anytun";
    private const string DefaultFacility = "daemon";

    private static readonly string[] Facilities =
    {
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    };

    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly int _level;
    private readonly int _facility;
    private readonly string _ident;
    private readonly Func<DateTime> _clock;
    private readonly object _gate = new();
    private bool _disposed;

    internal SyslogLogTargetProvider(LogTarget target, string socketPath = DefaultSocketPath, Func<DateTime>? clock = null)
    {
        _level = target.Level;
        _ident = target.Parameters.Count > 0 && target.Parameters[0].Length > 0 ? target.Parameters[0] : DefaultIdent;
        _facility = FacilityCode(target.Parameters.Count > 1 ? target.Parameters[1] : DefaultFacility);
        _endPoint = new UnixDomainSocketEndPoint(socketPath);
        _clock = clock ?? (() => DateTime.Now);
    }

    /// <summary>The datagram for one event (syslog severity = anytun priority + 2: error 3 ... debug 7).</summary>
    internal static string FormatDatagram(int facility, int priority, string ident, int processId, DateTime time, string message)
    {
        var severity = Math.Min(priority, AnytunLogLevels.Debug) + 2;
        var stamp = time.ToString("MMM", CultureInfo.InvariantCulture) + " "
            + time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " "
            + time.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"<{(facility * 8) + severity}>{stamp} {ident}[{processId}]: {message}");
    }

    /// <summary>syslog(3) facility number: user 1, daemon 3, local0..local7 16..23.</summary>
    internal static int FacilityCode(string name)
    {
        var index = Array.IndexOf(Facilities, name);
        if (index >= 0)
        {
            return index;
        }

        if (name.Length == 6 && name.StartsWith("local", StringComparison.Ordinal) && name[5] is >= '0' and <= '7')
        {
            return 16 + (name[5] - '0');
        }

        throw new ArgumentException($"unknown syslog facility '{name}'", nameof(name));
    }

    public ILogger CreateLogger(string categoryName) => new LogTargetLogger(_level, Send);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _socket.Dispose();
        }
    }

    private void Send(int priority, string message)
    {
        var datagram = Encoding.UTF8.GetBytes(FormatDatagram(_facility, priority, _ident, Environment.ProcessId, _clock(), message));
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                _socket.SendTo(datagram, SocketFlags.None, _endPoint);
            }
            catch (SocketException)
            {
                // No syslog daemon (containers, namespaces): the line is lost, like with syslog(3).
            }
        }
    }
}
