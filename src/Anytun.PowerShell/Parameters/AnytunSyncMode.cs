namespace Anytun;

/// <summary>How Sync-AnytunConnection treats connections and routes that are not in the given set.</summary>
public enum AnytunSyncMode
{
    /// <summary>Remove them: the tunnel ends up with exactly the given set (like wg syncconf).</summary>
    Replace,

    /// <summary>Keep them: only add what is missing and change what differs (anytun's sync).</summary>
    Merge,
}
