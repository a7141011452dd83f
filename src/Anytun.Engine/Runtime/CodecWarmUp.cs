using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;
using Anytun.Engine.Protocol;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Gets the packet path's code ready before the first tunnel of the process carries a packet: puts the SATP codec (and
/// the runtime calls each packet makes) through throwaway packets, a batch every 100 ms for about a second, so tiered
/// compilation promotes what is left to it (the codec's optimised code needs the inlining and profile that tiering
/// gives, see <see cref="PacketPath"/>). Untouched, each promotion came after the 30th and the 60th real packet and
/// showed as a 4-9 ms ping spike (a promotion briefly holds every managed thread). Random keys, zeroed afterwards;
/// nothing reaches a socket or device. Best effort: a failure here never touches the tunnel.
/// </summary>
internal static class CodecWarmUp
{
    private const int Rounds = 12;
    private const int PacketsPerRound = 40;
    private const int RoundIntervalMilliseconds = 100;
    private static readonly int[] InnerLengths = { 64, 1400 };

    private static int _done;

    /// <summary>Once per process (compiled code is the process's): blocks for about a second (less when
    /// <paramref name="cancellationToken"/> fires) before the first tunnel's engine threads start, so the compilations
    /// happen while no packet waits.</summary>
    public static void RunOnce(SatpAlgorithms algorithms, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            Run(algorithms, cancellationToken);
        }
    }

    private static void Run(SatpAlgorithms algorithms, CancellationToken cancellationToken)
    {
        try
        {
            var masterKey = RandomNumberGenerator.GetBytes(AlgorithmNames.KeyLength(algorithms.KdPrf));
            var masterSalt = RandomNumberGenerator.GetBytes(SatpKeyDerivation.SaltLength);
            using var sendKeys = ConnectionKeys.Create(algorithms.KdPrf, Role.Left, masterKey, masterSalt);
            using var receiveKeys = ConnectionKeys.Create(algorithms.KdPrf, Role.Right, masterKey, masterSalt);
            CryptographicOperations.ZeroMemory(masterKey);
            CryptographicOperations.ZeroMemory(masterSalt);
            using var encoder = new SatpEncoder(algorithms);
            using var decoder = new SatpDecoder(algorithms);
            var packet = new byte[SatpPacket.RequiredBufferSize(InnerLengths[^1])];
            uint sequence = 0;
            // No descriptor behind it (nothing to close, nothing Linux-only): only its reference count is exercised.
            using var handle = new Device.FileDescriptorHandle(-1);
            var gate = new object();
            var address = new SocketAddress(AddressFamily.InterNetwork);
            var same = new SocketAddress(AddressFamily.InterNetwork);
            for (var round = 0; round < Rounds && !cancellationToken.IsCancellationRequested; round++)
            {
                for (var i = 0; i < PacketsPerRound; i++)
                {
                    foreach (var innerLength in InnerLengths)
                    {
                        RoundTrip(encoder, decoder, sendKeys, receiveKeys, packet, innerLength, sequence++);
                    }

                    TouchRuntimeCalls(gate, handle, address, same);
                }

                // The tunnel's start may be cancelled meanwhile: the warm-up then simply ends.
                _ = cancellationToken.WaitHandle.WaitOne(RoundIntervalMilliseconds);
            }

            CryptographicOperations.ZeroMemory(packet);
        }
        catch (Exception)
        {
            // Only speed is at stake: the tunnel works the same without the warm-up.
        }
    }

    /// <summary>The runtime methods every packet calls without inlining them (the gate of the sender loop, the
    /// descriptor references around each system call, the source address check): they are tiered like the codec.</summary>
    private static void TouchRuntimeCalls(object gate, SafeHandle handle, SocketAddress address, SocketAddress same)
    {
        // Every received datagram's source is compared with the connection's remote.
        address.Size = same.Size;
        _ = address.Equals(same);

        if (Monitor.TryEnter(gate))
        {
            Monitor.Exit(gate);
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        if (added)
        {
            handle.DangerousRelease();
        }
    }

    private static void RoundTrip(
        SatpEncoder encoder, SatpDecoder decoder, ConnectionKeys sendKeys, ConnectionKeys receiveKeys, byte[] packet, int innerLength, uint sequence)
    {
        // An IPv4-looking inner packet: version nibble 4.
        packet[SatpPacket.InnerOffset] = 0x45;
        var length = encoder.Encode(packet, innerLength, PayloadType.IPv4, sequence, 1, 0, sendKeys);
        var datagram = packet.AsSpan(0, length);
        if (decoder.Authenticate(datagram, receiveKeys, out var header) == DropReason.None)
        {
            _ = decoder.Decrypt(datagram, header, receiveKeys, out _, out _);
        }
    }
}
