namespace Anytun.Engine.Configuration;

/// <summary>anytun's spelling of the algorithm, role and device names, both directions, plus key sizes.</summary>
public static class AlgorithmNames
{
    public static bool TryParseCipher(string value, out CipherAlgorithm cipher)
    {
        switch (value)
        {
            case "null": cipher = CipherAlgorithm.Null; return true;
            case "aes-ctr":
            case "aes-ctr-128": cipher = CipherAlgorithm.AesCtr128; return true;
            case "aes-ctr-192": cipher = CipherAlgorithm.AesCtr192; return true;
            case "aes-ctr-256": cipher = CipherAlgorithm.AesCtr256; return true;
            default: cipher = default; return false;
        }
    }

    public static bool TryParseKdPrf(string value, out KeyDerivationPrf prf)
    {
        switch (value)
        {
            case "null": prf = KeyDerivationPrf.Null; return true;
            case "aes-ctr":
            case "aes-ctr-128": prf = KeyDerivationPrf.AesCtr128; return true;
            case "aes-ctr-192": prf = KeyDerivationPrf.AesCtr192; return true;
            case "aes-ctr-256": prf = KeyDerivationPrf.AesCtr256; return true;
            default: prf = default; return false;
        }
    }

    public static bool TryParseAuth(string value, out AuthAlgorithm auth)
    {
        switch (value)
        {
            case "null": auth = AuthAlgorithm.Null; return true;
            case "sha1": auth = AuthAlgorithm.Sha1; return true;
            default: auth = default; return false;
        }
    }

    /// <summary>left/alice/server and right/bob/client, as anytun accepts them.</summary>
    public static bool TryParseRole(string value, out Role role)
    {
        switch (value)
        {
            case "left":
            case "alice":
            case "server": role = Role.Left; return true;
            case "right":
            case "bob":
            case "client": role = Role.Right; return true;
            default: role = default; return false;
        }
    }

    /// <summary>anytun only looks at the first three characters ("tun…", "tap…").</summary>
    public static bool TryParseDeviceType(string value, out DeviceType type)
    {
        if (value.StartsWith("tun", StringComparison.Ordinal))
        {
            type = DeviceType.Tun;
            return true;
        }

        if (value.StartsWith("tap", StringComparison.Ordinal))
        {
            type = DeviceType.Tap;
            return true;
        }

        type = default;
        return false;
    }

    public static string ToName(CipherAlgorithm cipher) => cipher switch
    {
        CipherAlgorithm.Null => "null",
        CipherAlgorithm.AesCtr128 => "aes-ctr-128",
        CipherAlgorithm.AesCtr192 => "aes-ctr-192",
        CipherAlgorithm.AesCtr256 => "aes-ctr-256",
        _ => Undefined(cipher),
    };

    public static string ToName(KeyDerivationPrf prf) => prf switch
    {
        KeyDerivationPrf.Null => "null",
        KeyDerivationPrf.AesCtr128 => "aes-ctr-128",
        KeyDerivationPrf.AesCtr192 => "aes-ctr-192",
        KeyDerivationPrf.AesCtr256 => "aes-ctr-256",
        _ => Undefined(prf),
    };

    public static string ToName(AuthAlgorithm auth) => auth switch
    {
        AuthAlgorithm.Null => "null",
        AuthAlgorithm.Sha1 => "sha1",
        _ => Undefined(auth),
    };

    public static string ToName(Role role) => role switch
    {
        Role.Left => "left",
        Role.Right => "right",
        _ => Undefined(role),
    };

    public static string ToName(DeviceType type) => type switch
    {
        DeviceType.Tun => "tun",
        DeviceType.Tap => "tap",
        _ => Undefined(type),
    };

    /// <summary>Master key length in bytes the kd-prf needs (0 for null).</summary>
    public static int KeyLength(KeyDerivationPrf prf) => prf switch
    {
        KeyDerivationPrf.AesCtr128 => 16,
        KeyDerivationPrf.AesCtr192 => 24,
        KeyDerivationPrf.AesCtr256 => 32,
        _ => 0,
    };

    /// <summary>Session encryption key length in bytes for the cipher (0 for null).</summary>
    public static int KeyLength(CipherAlgorithm cipher) => cipher switch
    {
        CipherAlgorithm.AesCtr128 => 16,
        CipherAlgorithm.AesCtr192 => 24,
        CipherAlgorithm.AesCtr256 => 32,
        _ => 0,
    };

    /// <summary>Formatting (and so ToString) must not throw; Validate reports undefined values.</summary>
    private static string Undefined<T>(T value)
        where T : struct, Enum => value.ToString("D");
}
