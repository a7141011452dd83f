namespace Anytun.HelpGen.Model;

/// <summary>The fields of one platyPS parameter yaml block.</summary>
public sealed record ParameterSetHelp(
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool Required,
    string Position,
    string DefaultValue,
    bool ByValue,
    bool ByPropertyName,
    bool Wildcards)
{
    /// <summary>Marker platyPS writes for a parameter that is in every parameter set.</summary>
    public const string AllSets = "(All)";

    public bool AppliesTo(string setName)
    {
        foreach (string set in ParameterSets)
        {
            if (set == AllSets || string.Equals(set, setName, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The MAML <c>pipelineInput</c> attribute text.</summary>
    public string PipelineInputText => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}
