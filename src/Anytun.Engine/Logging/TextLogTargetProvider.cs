using System.Globalization;
using System.Text;
using Anytun.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Logging;

/// <summary>
/// The stdout, stderr and file targets of -L: one line per event in anytun's format,
/// <c>2026-Nov-24 17:45:23 NOTICE: message</c> (local time). stdout and stderr are the process's own streams, shared
/// by every tunnel of the process; a file is opened for appending when the tunnel starts. A failing write is dropped,
/// never thrown into an engine thread.
/// </summary>
internal sealed class TextLogTargetProvider : ILoggerProvider
{
    private static readonly Lazy<TextWriter> StandardOutput = new(() => OpenStandard(Console.OpenStandardOutput()));
    private static readonly Lazy<TextWriter> StandardError = new(() => OpenStandard(Console.OpenStandardError()));

    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly int _level;
    private readonly Func<DateTime> _clock;

    internal TextLogTargetProvider(TextWriter writer, bool ownsWriter, int level, Func<DateTime>? clock = null)
    {
        _writer = writer;
        _ownsWriter = ownsWriter;
        _level = level;
        _clock = clock ?? (() => DateTime.Now);
    }

    /// <summary>The provider for a stdout, stderr or file target.</summary>
    /// <exception cref="AnytunException">InvalidOption when the file cannot be opened.</exception>
    public static TextLogTargetProvider Create(LogTarget target) => target.Kind switch
    {
        LogTargetKind.Stdout => new TextLogTargetProvider(StandardOutput.Value, ownsWriter: false, target.Level),
        LogTargetKind.Stderr => new TextLogTargetProvider(StandardError.Value, ownsWriter: false, target.Level),
        LogTargetKind.File => new TextLogTargetProvider(OpenFile(target), ownsWriter: true, target.Level),
        _ => throw new ArgumentOutOfRangeException(nameof(target), target.Kind, "not a text log target"),
    };

    /// <summary>One log line as anytun writes it.</summary>
    internal static string FormatLine(DateTime time, int priority, string message) =>
        time.ToString("yyyy-MMM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + AnytunLogLevels.NameOf(priority) + ": " + message;

    public ILogger CreateLogger(string categoryName) => new LogTargetLogger(_level, Write);

    public void Dispose()
    {
        if (_ownsWriter)
        {
            lock (_writer)
            {
                _writer.Dispose();
            }
        }
    }

    private void Write(int priority, string message)
    {
        var line = FormatLine(_clock(), priority, message);
        try
        {
            lock (_writer)
            {
                _writer.WriteLine(line);
                _writer.Flush();
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // A full disk or a closed stream must not stop the tunnel; the job log still has the event.
        }
    }

    private static TextWriter OpenStandard(Stream stream) => new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };

    private static StreamWriter OpenFile(LogTarget target)
    {
        // anytun's default path when none is given.
        var path = target.Parameters.Count > 0 ? target.Parameters[0] : "anytun.log";
        try
        {
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new AnytunException(
                AnytunErrorCode.InvalidOption,
                $"{OptionNames.Log} '{target}': cannot open the log file '{path}': {exception.Message}",
                OptionNames.Log,
                exception);
        }
    }
}
