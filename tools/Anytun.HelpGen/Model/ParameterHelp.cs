namespace Anytun.HelpGen.Model;

/// <summary>A <c>### -Name</c> entry (at <paramref name="Line"/>): description plus one yaml block per group of parameter sets.</summary>
public sealed record ParameterHelp(string Name, IReadOnlyList<string> Description, IReadOnlyList<ParameterSetHelp> Sets, int Line = 0)
{
    public ParameterSetHelp First => Sets[0];

    public bool IsSwitch => First.Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter";

    /// <summary>The yaml block that covers <paramref name="setName"/>, or null when the parameter is not in that set.</summary>
    public ParameterSetHelp? ForSet(string setName)
    {
        foreach (var set in Sets)
        {
            if (set.AppliesTo(setName))
            {
                return set;
            }
        }

        return null;
    }
}
