namespace Anytun.Engine.Sync;

/// <summary>What was wrong with a sync frame.</summary>
public enum SyncErrorKind
{
    /// <summary>The 5-byte length prefix is not a decimal number.</summary>
    BadLengthPrefix,

    /// <summary>The stream ended inside a frame (length prefix, separator or archive).</summary>
    TruncatedFrame,

    /// <summary>The archive does not start with "22 serialization::archive".</summary>
    BadSignature,

    /// <summary>Archive version above 18, which Debian 12 anytun (Boost 1.74) refuses. Only reported when emulating it.</summary>
    UnsupportedVersion,

    /// <summary>A number was expected and something else (or nothing) was found.</summary>
    BadNumber,

    /// <summary>A number is larger than its field allows.</summary>
    NumberOutOfRange,

    /// <summary>A string or byte list claims more bytes than the frame has left.</summary>
    LengthExceedsFrame,

    /// <summary>A class-info pair has tracking flag 1 (Boost would then expect object ids; anytun always writes 0).</summary>
    TrackingNotSupported,

    /// <summary>A field has a value anytun does not define (role other than 0/1).</summary>
    BadValue,

    /// <summary>A route's address type is not 0 (IPv4), 1 (IPv6) or 2 (Ethernet).</summary>
    BadAddressType,

    /// <summary>An address string is not an address of the expected family.</summary>
    BadAddress,

    /// <summary>Reading the underlying stream failed (connection reset, closed socket).</summary>
    StreamError,
}
