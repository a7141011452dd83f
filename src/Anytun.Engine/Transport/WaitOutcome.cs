namespace Anytun.Engine.Transport;

/// <summary>Why a receiver's wait (<see cref="ReplyAnticipation.Wait"/>) ended.</summary>
internal enum WaitOutcome
{
    /// <summary>The socket may be readable, or a nudge or interrupt came: receive (again).</summary>
    Socket,

    /// <summary>Single-thread mode: the device has something (a packet or an error) and the socket may not.</summary>
    Device,

    /// <summary>The timeout passed and nothing came.</summary>
    TimedOut,
}
