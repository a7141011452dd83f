namespace Anytun.Engine.Sync;

/// <summary>Fixed facts of the Boost text archive framing anytun uses (spec §1.2, §1.3).</summary>
public static class SyncArchive
{
    /// <summary>The Boost archive library version we write: Debian 12 anytun (Boost 1.74) rejects anything above 18.</summary>
    public const int WrittenVersion = 18;

    /// <summary>The highest version the reference reader (Boost 1.74) accepts; we read any version.</summary>
    public const int ReferenceMaxVersion = 18;

    /// <summary>Digits of the length prefix; the reader reads exactly this many bytes.</summary>
    public const int LengthPrefixSize = 5;

    /// <summary>Length prefix plus the one separator byte.</summary>
    public const int FrameHeaderSize = LengthPrefixSize + 1;

    /// <summary>The largest archive a 5-digit length prefix can announce.</summary>
    public const int MaxArchiveLength = 99_999;

    /// <summary>Default TCP port of sync peers and of anytun-controld (-M, -X).</summary>
    public const int DefaultPort = 2323;

    internal const string ConnectionWord = "connection";
    internal const string RouteWord = "route";

    internal static ReadOnlySpan<byte> Signature => "serialization::archive"u8;
}
