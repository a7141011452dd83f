using Anytun.Engine.Configuration;
using Anytun.Engine.Protocol;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Protocol;

/// <summary>
/// replay-w64 / replay-w0: the first datagram A sent was replayed twice; B with -w 64 rejects both replays,
/// B with -w 0 accepts them. Datagrams from the captures, window size from B's command line.
/// </summary>
public sealed class ReplayVectorTests
{
    [Theory]
    [InlineData("replay-w64", 64u, false)]
    [InlineData("replay-w0", 0u, true)]
    public void ReplayedCaptureIsHandledPerWindowSize(string vector, uint expectedWindow, bool replaysAccepted)
    {
        var directory = Path.Combine(VectorCatalog.Root, vector);
        var replayed = ReadReplayedDatagram(Path.Combine(directory, "replay.txt"));
        var options = AnytunCommandLine.ParseCommandLine(File.ReadAllText(Path.Combine(directory, "cmd_B.txt")).Trim());
        Assert.Equal(expectedWindow, options.WindowSize);
        using var suite = SatpCryptoSuite.FromOptions(options);
        using var decoder = suite.CreateDecoder();
        var window = new ReplayWindow(options.WindowSize);

        // Original, then the two replays.
        Assert.Equal(DropReason.None, TestSuites.Receive(decoder, window, replayed));
        Assert.Equal(replaysAccepted ? DropReason.None : DropReason.Replay, TestSuites.Receive(decoder, window, replayed));
        Assert.Equal(replaysAccepted ? DropReason.None : DropReason.Replay, TestSuites.Receive(decoder, window, replayed));
    }

    [Fact]
    public void ReplayW64CaptureContainsTheReplayedDatagramThreeTimes()
    {
        var directory = Path.Combine(VectorCatalog.Root, "replay-w64");
        var replayed = Convert.ToHexString(ReadReplayedDatagram(Path.Combine(directory, "replay.txt")));
        var udpPayloads = ReadTcpdumpUdpPayloads(Path.Combine(directory, "outer.txt"));
        Assert.Equal(3, udpPayloads.Count(p => Convert.ToHexString(p) == replayed));
    }

    private static byte[] ReadReplayedDatagram(string file)
    {
        var text = File.ReadAllText(file);
        return Convert.FromHexString(text[(text.LastIndexOf(':') + 1)..].Trim());
    }

    // tcpdump -x text: each packet is an IPv4 header (20 bytes here) + UDP header (8) + payload.
    private static List<byte[]> ReadTcpdumpUdpPayloads(string file)
    {
        var packets = new List<byte[]>();
        var current = new List<byte>();
        foreach (var line in File.ReadLines(file))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("0x", StringComparison.Ordinal))
            {
                // "0x0010:  0ac8 0002 ...  ascii": the hex groups end at the first double space.
                var groups = trimmed[(trimmed.IndexOf(':') + 1)..].TrimStart();
                var hex = groups.Split("  ")[0].Replace(" ", string.Empty, StringComparison.Ordinal);
                current.AddRange(Convert.FromHexString(hex));
            }
            else if (current.Count > 0)
            {
                packets.Add(current.ToArray());
                current.Clear();
            }
        }

        if (current.Count > 0)
        {
            packets.Add(current.ToArray());
        }

        return packets.Select(p => p[((p[0] & 0x0F) * 4 + 8)..]).ToList();
    }
}
