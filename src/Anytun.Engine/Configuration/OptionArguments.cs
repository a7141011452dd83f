using System.Globalization;

namespace Anytun.Engine.Configuration;

/// <summary>
/// The argv rules the anytun programs share (anytun, anytun-config, anytun-controld all use one options parser): a
/// value follows its option and may not start with '-'; numbers, names and hex strings are checked strictly. Every
/// error is an <see cref="AnytunErrorCode.InvalidOption"/> naming the option and the 1-based argument position, and
/// never echoes a secret.
/// </summary>
internal static class OptionArguments
{
    public delegate bool TryParseName<T>(string value, out T result);

    /// <summary>Returns the value after the option at <paramref name="i"/> and moves <paramref name="i"/> onto it.</summary>
    public static string Take(IReadOnlyList<string> args, ref int i, string option, string program) =>
        TakeCore(args, ref i, option, program, secret: false);

    /// <summary>As <see cref="Take"/>, but an error never shows the value.</summary>
    public static string TakeSecret(IReadOnlyList<string> args, ref int i, string option, string program) =>
        TakeCore(args, ref i, option, program, secret: true);

    public static long TakeNumber(IReadOnlyList<string> args, ref int i, string option, long min, long max, string program)
    {
        var value = Take(args, ref i, option, program);
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw OptionErrors.Invalid(
                option,
                string.Create(CultureInfo.InvariantCulture, $"{option} '{value}' (argument {i + 1}) must be a whole number from {min} to {max}."));
        }

        return number;
    }

    public static T TakeName<T>(IReadOnlyList<string> args, ref int i, string option, TryParseName<T> tryParse, string allowed, string program)
    {
        var value = Take(args, ref i, option, program);
        if (!tryParse(value, out var result))
        {
            throw OptionErrors.Invalid(
                option,
                string.Create(CultureInfo.InvariantCulture, $"{option} '{value}' (argument {i + 1}) is unknown; use one of: {allowed}."));
        }

        return result;
    }

    /// <summary>
    /// Runs a value parser that only knows the option and adds the value's 1-based argument position to its error.
    /// (Arguments are evaluated left to right, so the <paramref name="position"/> is computed before Take advances.)
    /// </summary>
    public static T AtPosition<T>(int position, string value, Func<string, T> parse)
    {
        try
        {
            return parse(value);
        }
        catch (AnytunException ex)
        {
            throw new AnytunException(
                ex.Code,
                ex.Message.TrimEnd('.') + string.Create(CultureInfo.InvariantCulture, $" (argument {position})."),
                ex.Target,
                ex);
        }
    }

    public static AnytunException Unknown(string token, int index, string program)
    {
        var message = token.StartsWith('-')
            ? string.Create(CultureInfo.InvariantCulture, $"Unknown option '{token}' (argument {index + 1}).")
            : string.Create(CultureInfo.InvariantCulture, $"Unexpected argument '{token}' (argument {index + 1}): {program} takes only options, each value right after its option.");
        return OptionErrors.Invalid(token, message);
    }

    public static AnytunException NotMeaningful(string option, string token, int index, string hint, string program) =>
        OptionErrors.Invalid(
            option,
            string.Create(CultureInfo.InvariantCulture, $"'{token}' (argument {index + 1}) is not meaningful here: {program}'s {option} only prints text and exits; {hint}."));

    /// <summary>1 when the first argument is the program's name (or a path to it), else 0.</summary>
    public static int FirstOption(IReadOnlyList<string> args, string program) =>
        args.Count > 0 && args[0] is { } first && IsProgram(first, program) ? 1 : 0;

    /// <summary>-h/--help and -v/--version only print text in the real programs; here they are an error with a hint.</summary>
    public static AnytunException PrintsAndExits(string token, int index, string program) => token is "-h" or "--help"
        ? NotMeaningful(OptionNames.Help, token, index, "use Get-Help", program)
        : NotMeaningful(OptionNames.Version, token, index, "use (Get-Module Anytun).Version", program);

    /// <summary>The value of -L/--log at <paramref name="i"/>, parsed.</summary>
    public static LogTarget TakeLogTarget(IReadOnlyList<string> args, ref int i, string program) =>
        AtPosition(i + 2, Take(args, ref i, OptionNames.Log, program), static v => LogTarget.Parse(v));

    /// <summary><paramref name="name"/>, or a path ending in "/<paramref name="name"/>".</summary>
    public static bool IsProgram(string token, string name) =>
        token == name || token.EndsWith("/" + name, StringComparison.Ordinal);

    private static string TakeCore(IReadOnlyList<string> args, ref int i, string option, string program, bool secret)
    {
        if (i + 1 >= args.Count)
        {
            throw OptionErrors.Invalid(
                option,
                string.Create(CultureInfo.InvariantCulture, $"'{args[i]}' (argument {i + 1}) needs a value: {option} <value>."));
        }

        var value = args[i + 1] ?? string.Empty;
        if (value.StartsWith('-'))
        {
            var shown = secret ? "its value" : $"'{value}'";
            throw OptionErrors.Invalid(
                option,
                string.Create(CultureInfo.InvariantCulture, $"{option}: {shown} (argument {i + 2}) starts with '-'; {program} does not accept option values that start with '-' (is the value missing?)."));
        }

        i++;
        return value;
    }
}
