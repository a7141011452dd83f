using System.Management.Automation;
using Anytun.Engine;
using Anytun.Engine.Routing;

namespace Anytun;

/// <summary>
/// Prefix parameters (-DestinationPrefix, -Route) are bound as text and parsed here, so a bad prefix is an
/// 'InvalidPrefix' error that names the parameter the user typed, rather than a generic binding error.
/// </summary>
internal static class PrefixParameters
{
    internal const string InvalidPrefixId = "InvalidPrefix";

    /// <summary>Parses <paramref name="text"/>, or returns null with <paramref name="error"/> naming <paramref name="parameterName"/>.</summary>
    internal static IPPrefix? TryParse(string? text, string parameterName, out ErrorRecord? error)
    {
        if (IPPrefix.TryParse(text, out var prefix, out var reason))
        {
            error = null;
            return prefix;
        }

        var message = $"-{parameterName} '{text}': {reason}.";
        error = new ErrorRecord(
            new AnytunException(AnytunErrorCode.InvalidPrefix, message, text),
            InvalidPrefixId,
            ErrorCategory.InvalidArgument,
            text)
        {
            ErrorDetails = new ErrorDetails(message)
            {
                RecommendedAction = $"Give -{parameterName} as address/length, e.g. 10.0.0.0/8 or fd00::/8 (a bare address is a host route).",
            },
        };
        return null;
    }

    /// <summary>Every prefix of <paramref name="texts"/>; the first bad one is a terminating error (nothing was changed yet).</summary>
    internal static List<IPPrefix> ParseAll(PSCmdlet cmdlet, IEnumerable<string>? texts, string parameterName)
    {
        var prefixes = new List<IPPrefix>();
        foreach (var text in texts ?? Array.Empty<string>())
        {
            if (TryParse(text, parameterName, out var error) is { } prefix)
            {
                prefixes.Add(prefix);
            }
            else
            {
                cmdlet.ThrowTerminatingError(error!);
            }
        }

        return prefixes;
    }
}
