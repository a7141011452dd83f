using Anytun.Engine.Runtime;
using static Anytun.Engine.Tests.Runtime.TunnelTestSupport;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>The carrier reads the device for an answer right after a write only while answers come that way.</summary>
public sealed class AnswerPredictionTests
{
    private const int RoundTrips = 40;

    [Fact]
    public void StopsReadingAfterEmptyReadsButStillProbes()
    {
        var prediction = new AnswerPrediction();
        for (var i = 0; i < AnswerPrediction.MissesBeforeSkipping; i++)
        {
            Assert.True(prediction.ExpectsAnswer());
            prediction.Record(answered: false);
        }

        // Skipping: one write in ProbeInterval still reads.
        var reads = 0;
        for (var i = 0; i < 3 * AnswerPrediction.ProbeInterval; i++)
        {
            if (prediction.ExpectsAnswer())
            {
                reads++;
                prediction.Record(answered: false);
            }
        }

        Assert.Equal(3, reads);
    }

    [Fact]
    public void AnAnswerStartsReadingAgain()
    {
        var prediction = new AnswerPrediction();
        for (var i = 0; i < AnswerPrediction.MissesBeforeSkipping; i++)
        {
            prediction.Record(answered: false);
        }

        while (!prediction.ExpectsAnswer())
        {
        }

        prediction.Record(answered: true);
        for (var i = 0; i < AnswerPrediction.MissesBeforeSkipping; i++)
        {
            Assert.True(prediction.ExpectsAnswer());
            prediction.Record(answered: i == 0);
        }
    }

    /// <summary>Ping-like traffic through two single-thread tunnels: B's kernel answers during each write, A's never
    /// does. B reads every answer at once; A stops reading after its writes (the answers) within a few round trips;
    /// and when A's device starts answering, the answer the carrier did not read for still reaches B.</summary>
    [Theory]
    [InlineData("warm")]
    [InlineData("single")]
    public async Task TheAskingEndStopsReadingAfterItsWritesAndMissesNoAnswer(string idleMode)
    {
        var mode = IdleModes.Parse(idleMode);
        var portA = FreeUdpPort();
        await using var b = await StartAsync("-i 127.0.0.1 -p 0 -e right", idleMode: mode);
        await using var a = await StartAsync($"-i 127.0.0.1 -p {portA} -r 127.0.0.1 -o {b.Port} -e left", idleMode: mode);
        b.Device.AnswerEachWrite = true;

        // The first packets go through the pipeline; the tunnels turn single-threaded after a few quiet windows.
        a.Device.Inject(Ipv4Packet(100, 1));
        TakeRoundTrip(a, b, 1);
        await WaitUntilAsync(() => a.Tunnel.IsSingleThreaded && b.Tunnel.IsSingleThreaded, "both tunnels in single-thread mode");

        var emptyBeforeA = a.Device.EmptyReads;
        var emptyBeforeB = b.Device.EmptyReads;
        for (byte i = 2; i < RoundTrips + 2; i++)
        {
            a.Device.Inject(Ipv4Packet(100, i));
            TakeRoundTrip(a, b, i);

            // Like a ping's interval: the next packet must not be there yet when A's carrier reads after its write
            // (it would count as an answer).
            Thread.Sleep(5);
        }

        var emptyA = a.Device.EmptyReads - emptyBeforeA;
        var emptyB = b.Device.EmptyReads - emptyBeforeB;
        // Reading after every write finds nothing 40 times; with the prediction MissesBeforeSkipping + RoundTrips /
        // ProbeInterval (9), with room for a slow machine on which a read still finds the next packet.
        const int mostA = RoundTrips / 2;
        Assert.True(emptyA <= mostA, $"A read its device for an answer {emptyA} times in vain in {RoundTrips} round trips (at most {mostA} expected)");
        Assert.True(emptyB == 0, $"B's answers were always queued, yet {emptyB} of its reads found nothing");

        // Now A's kernel answers too, while A's carrier is not reading for it: the answer still goes out.
        b.Device.AnswerEachWrite = false;
        a.Device.AnswerEachWrite = true;
        b.Device.Inject(Ipv4Packet(100, 200));
        Assert.Equal(Ipv4Packet(100, 200), TakeWritten(a.Device));
        Assert.Equal(Ipv4Packet(100, 200), TakeWritten(b.Device));
    }

    /// <summary>A's packet reaches B, B's device answers it during the write, and the answer reaches A.</summary>
    private static void TakeRoundTrip(Side a, Side b, byte marker)
    {
        Assert.Equal(Ipv4Packet(100, marker), TakeWritten(b.Device));
        Assert.Equal(Ipv4Packet(100, marker), TakeWritten(a.Device));
    }
}
