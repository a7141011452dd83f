namespace Anytun.Engine;

/// <summary>The one exception type the engine throws for failures a user can act on.</summary>
public sealed class AnytunException : Exception
{
    public AnytunException(AnytunErrorCode code, string message, string? target = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Target = target;
    }

    /// <summary>What went wrong, as a stable code.</summary>
    public AnytunErrorCode Code { get; }

    /// <summary>The option, device or address the user named (never a secret value), if any.</summary>
    public string? Target { get; }
}
