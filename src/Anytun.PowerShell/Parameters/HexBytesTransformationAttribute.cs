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

        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text.Substring(2);
        }

        if (text.Length % 2 != 0)
        {
            throw new ArgumentTransformationMetadataException(
                $"{text.Length} hex digits is an odd number; each byte needs two hex digits.");
        }

        var bytes = new byte[text.Length / 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            var high = HexValue(text[2 * i]);
            var low = HexValue(text[(2 * i) + 1]);
            if (high < 0 || low < 0)
            {
                Array.Clear(bytes);
                throw new ArgumentTransformationMetadataException(
                    $"The value is not a hex string: one of its {text.Length} characters is not 0-9, a-f or A-F.");
            }

            bytes[i] = (byte)((high << 4) | low);
        }

        return bytes;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
