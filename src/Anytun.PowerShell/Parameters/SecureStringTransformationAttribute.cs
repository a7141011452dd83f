using System.Management.Automation;
using System.Security;

namespace Anytun;

/// <summary>
/// Accepts a plain string where a SecureString is expected, for parity with anytun's -E on the command line.
/// Scripts that care pass a SecureString (Read-Host -AsSecureString, SecretManagement).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text)
        {
            return inputData;
        }

        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
