using System.Management.Automation;

namespace Anytun;

/// <summary>
/// Binds a byte[] parameter from either bytes or a hex string (as anytun's -K/-A take them).
/// The message never echoes the digits: a wrong key is still a key.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class HexBytesTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text)
        {
            return inputData;
        }

        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text.AsSpan(2) : text.AsSpan();
        if (digits.Length % 2 != 0)
        {
            throw new ArgumentTransformationMetadataException(
                $"{digits.Length} hex digits is an odd number; each byte needs two hex digits.");
        }

        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException)
        {
            // Not the FormatException's message: it may quote the offending text.
            throw new ArgumentTransformationMetadataException(
                $"The value is not a hex string: one of its {digits.Length} characters is not 0-9, a-f or A-F.");
        }
    }
}
