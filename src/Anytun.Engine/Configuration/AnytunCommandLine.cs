namespace Anytun.Engine.Configuration;

/// <summary>The anytun 0.3.8 command line: parse argv (or a pasted line) into options, and format options back.</summary>
public static class AnytunCommandLine
{
    /// <summary>
    /// Parses anytun arguments (an optional leading program name such as <c>anytun</c>, <c>uanytun</c> or
    /// <c>/usr/sbin/anytun</c> is skipped). Throws <see cref="AnytunException"/> with
    /// <see cref="AnytunErrorCode.InvalidOption"/> for unknown options, missing values, values starting with '-',
    /// malformed numbers, names or hex strings. Does not call <see cref="TunnelOptions.Validate"/>.
    /// </summary>
    public static TunnelOptions Parse(IReadOnlyList<string> args) => CommandLineParser.Parse(args);

    /// <summary><see cref="Parse(IReadOnlyList{string})"/> of <see cref="Tokenize"/>(<paramref name="commandLine"/>).</summary>
    public static TunnelOptions ParseCommandLine(string commandLine) => CommandLineParser.Parse(Tokenize(commandLine));

    /// <summary>Splits a command line with POSIX-shell quoting rules ('…', "…", backslash, line continuation).</summary>
    public static IReadOnlyList<string> Tokenize(string commandLine) => CommandLineTokenizer.Tokenize(commandLine);

    /// <summary>
    /// An anytun command line equivalent to <paramref name="options"/> (options at their default are omitted);
    /// passphrase, key and salt appear as <c>***</c> unless <paramref name="redactSecrets"/> is false.
    /// </summary>
    public static string Format(TunnelOptions options, bool redactSecrets = true) =>
        CommandLineFormatter.Format(options, redactSecrets);

    /// <summary>As <see cref="Format"/>, one argument per element (argv for starting a real anytun).</summary>
    public static IReadOnlyList<string> FormatArguments(TunnelOptions options, bool redactSecrets = true) =>
        CommandLineFormatter.ToArguments(options, redactSecrets);
}
