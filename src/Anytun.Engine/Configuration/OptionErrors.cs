namespace Anytun.Engine.Configuration;

/// <summary>One way to build the "this option is wrong" error, so Target is always the option's display name.</summary>
internal static class OptionErrors
{
    public static AnytunException Invalid(string option, string message) =>
        new(AnytunErrorCode.InvalidOption, message, option);
}
