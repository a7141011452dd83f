using System.Management.Automation;

namespace Anytun;

/// <summary>Binds -PostUpScript from a path string or a ScriptBlock.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PostUpScriptTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            string path => new AnytunPostUpScript(path),
            ScriptBlock script => new AnytunPostUpScript(script),
            _ => inputData,
        };
    }
}
