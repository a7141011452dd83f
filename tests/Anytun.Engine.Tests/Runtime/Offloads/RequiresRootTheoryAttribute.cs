namespace Anytun.Engine.Tests.Runtime.Offloads;

/// <summary>The theory form of <see cref="RequiresRootFactAttribute"/> (same skip/CI rule).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRootTheoryAttribute : TheoryAttribute
{
    public RequiresRootTheoryAttribute()
    {
        if (!RootEnvironment.IsRoot && !RootEnvironment.IsCi)
        {
            Skip = "needs root (tun device + network namespaces); run as root or set CI=true to make this a failure";
        }
    }
}
