namespace Anytun.Engine;

/// <summary>The one exception type the engine throws for user-facing failures.</summary>
public sealed class AnytunException : Exception
{
    public AnytunException(AnytunErrorCode code, string message, string? target = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Target = target;
    }

    /// <summary>What kind of failure this is.</summary>
    public AnytunErrorCode Code { get; }

    /// <summary>The option, device or address the user named, if any.</summary>
    public string? Target { get; }
}
