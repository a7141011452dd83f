namespace Anytun.Engine.Runtime;

/// <summary>The direction names drop lines use.</summary>
internal static class DropDirection
{
    public const string Send = "send";
    public const string Receive = "receive";
}
