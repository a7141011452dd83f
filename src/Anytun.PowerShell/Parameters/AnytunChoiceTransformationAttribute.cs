using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Lets enum parameters also take anytun's own spellings ("aes-ctr-256", "alice", "sha1"), so command lines
/// copied from anytun keep working: hyphens are dropped and anytun's synonyms become our enum names.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AnytunChoiceTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text)
        {
            return inputData;
        }

        var normalized = text.Replace("-", string.Empty, StringComparison.Ordinal).Trim();
        return normalized.ToUpperInvariant() switch
        {
            "AESCTR" => "AesCtr128",
            "ALICE" or "SERVER" => "Left",
            "BOB" or "CLIENT" => "Right",
            _ => normalized,
        };
    }
}
