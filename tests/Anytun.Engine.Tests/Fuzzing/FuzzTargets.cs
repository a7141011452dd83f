using System.Net;
using Anytun.Engine.Configuration;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Tests.Fuzzing;

/// <summary>Whether a fuzz input was accepted or rejected with the documented error.</summary>
public enum FuzzOutcome
{
    Accepted,
    Rejected,
}

/// <summary>A fuzz target broke one of its own invariants (as opposed to an unexpected exception type).</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);

/// <summary>
/// The fuzz targets: each runs one parser on one input and checks its contract. The only exception allowed out of
/// the code under test is <see cref="AnytunException"/> for command lines (the documented error type); the sync
/// readers must not throw at all. Anything else escapes and fails the run.
/// </summary>
public static class FuzzTargets
{
    /// <summary>Resolves names without DNS: names with an 'a' resolve, others fail as ResolveFailed.</summary>
    private static readonly RemoteHostResolver FakeResolver = (host, family, _) =>
        host.Contains('a', StringComparison.Ordinal)
            ? Task.FromResult(family == AddressFamilyPreference.IPv6Only ? IPAddress.Parse("2001:db8::1") : IPAddress.Parse("192.0.2.1"))
            : throw new AnytunException(AnytunErrorCode.ResolveFailed, $"cannot resolve {host}", OptionNames.RemoteHost);

    /// <summary>Frames cover the input exactly, errors point inside it, and every command re-encodes canonically.</summary>
    public static FuzzOutcome SyncReader(byte[] input)
    {
        var messages = SyncStreamReader.ReadAll(input);
        var rejected = false;
        long offset = 0;
        try
        {
            foreach (var message in messages)
            {
                Check(message.Offset == offset, $"message at {message.Offset}, expected {offset}");
                Check(message.Length >= 0, "negative length");
                offset += message.Length;
                if (message.Kind == SyncMessageKind.Error)
                {
                    rejected = true;
                    var error = message.Error!;
                    Check(error.Offset >= message.Offset && error.Offset <= input.Length, $"error offset {error.Offset} outside [{message.Offset}, {input.Length}]");
                    Check(error.Message.Length > 0, "empty error message");
                }
                else if (message.Command is { } command)
                {
                    var once = SyncWriter.EncodeFrame(command);
                    var again = SyncStreamReader.ReadAll(once);
                    Check(again.Count == 1 && again[0].Command is not null, "a re-encoded command does not read back");
                    Check(once.AsSpan().SequenceEqual(SyncWriter.EncodeFrame(again[0].Command!)), "write(read(write(x))) != write(x)");
                    again[0].Dispose();
                }
            }

            Check(offset == input.Length, $"frames cover {offset} of {input.Length} bytes");
        }
        finally
        {
            foreach (var message in messages)
            {
                message.Dispose();
            }
        }

        return rejected ? FuzzOutcome.Rejected : FuzzOutcome.Accepted;
    }

    /// <summary>Every line is one of the three kinds anytun-showtables prints.</summary>
    public static FuzzOutcome ShowTables(byte[] input)
    {
        var rejected = false;
        foreach (var line in ShowTablesRenderer.Render(input))
        {
            rejected |= line.StartsWith("uncaught exception, exiting: ", StringComparison.Ordinal);
            Check(line.StartsWith("Client ", StringComparison.Ordinal) || line.StartsWith("Route: ", StringComparison.Ordinal) || line.StartsWith("uncaught exception, exiting: ", StringComparison.Ordinal), $"unexpected line '{line}'");
        }

        return rejected ? FuzzOutcome.Rejected : FuzzOutcome.Accepted;
    }

    /// <summary>Positions in the file are real lines and columns.</summary>
    public static FuzzOutcome TableFile(byte[] input)
    {
        var lines = 1 + input.AsSpan().Count((byte)'\n');
        var rejected = false;
        foreach (var message in SyncTableFile.Read(input))
        {
            using (message)
            {
                Check(message.Line is >= 1 && message.Line <= lines, $"line {message.Line} of {lines}");
                if (message.Error is { } error)
                {
                    rejected = true;
                    Check(error.Line is >= 1 && error.Line <= lines && error.Column >= 1 && error.Offset <= input.Length, $"error at line {error.Line} column {error.Column} offset {error.Offset}");
                }
            }
        }

        return rejected ? FuzzOutcome.Rejected : FuzzOutcome.Accepted;
    }

    /// <summary>A parsed anytun-config command line produces frames that read back as the same commands.</summary>
    public static FuzzOutcome AnytunConfig(string[] args) => Rejecting(() =>
    {
        using var definition = AnytunConfigCommandLine.Parse(args);
        var commands = definition.CreateCommandsAsync(FakeResolver).GetAwaiter().GetResult();
        var file = SyncTableFile.Encode(commands);
        var read = SyncTableFile.Read(file);
        try
        {
            Check(read.Count == commands.Count && read.All(m => m.Kind == SyncMessageKind.Command), "anytun-config output does not read back");
            Check(SyncTableFile.Encode(read.Select(m => m.Command!)).AsSpan().SequenceEqual(file), "anytun-config output does not round-trip");
            var keyHex = Convert.ToHexString(definition.MasterKey.Span);
            Check(keyHex.Length == 0 || !definition.ToString().Contains(keyHex, StringComparison.OrdinalIgnoreCase) || args.Any(a => a.Contains(keyHex, StringComparison.OrdinalIgnoreCase) && !a.StartsWith('-')), "ToString shows the key");
        }
        finally
        {
            foreach (var item in read.Concat(commands.Select(c => (IDisposable?)(c as IDisposable))))
            {
                item?.Dispose();
            }
        }
    });

    public static FuzzOutcome Controld(string[] args) => Rejecting(() =>
    {
        var options = AnytunControldCommandLine.Parse(args);
        Check(options.Listen.Port is >= 1 and <= 65535, "bad listen port");
        _ = options.ToString();
    });

    public static FuzzOutcome Anytun(string[] args) => Rejecting(() =>
    {
        using var options = AnytunCommandLine.Parse(args);
        options.Validate();
        using var again = AnytunCommandLine.Parse(AnytunCommandLine.FormatArguments(options, redactSecrets: false));
    });

    /// <summary>The three parsers on a pasted command line (POSIX quoting).</summary>
    public static FuzzOutcome CommandLineText(string text) => Rejecting(() =>
    {
        var tokens = AnytunCommandLine.Tokenize(text);
        var outcome = AnytunConfig(tokens.ToArray());
        Controld(tokens.ToArray());
        Anytun(tokens.ToArray());
        if (outcome == FuzzOutcome.Rejected)
        {
            throw new AnytunException(AnytunErrorCode.InvalidOption, "rejected by anytun-config", "anytun-config");
        }
    });

    private static FuzzOutcome Rejecting(Action parse)
    {
        try
        {
            parse();
            return FuzzOutcome.Accepted;
        }
        catch (AnytunException ex) when (ex.Code is AnytunErrorCode.InvalidOption or AnytunErrorCode.ResolveFailed or AnytunErrorCode.NotSupportedYet)
        {
            Check(ex.Message.Length > 0 && ex.Target is not null, $"an error without message or target: {ex.Message}");
            return FuzzOutcome.Rejected;
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }
}
