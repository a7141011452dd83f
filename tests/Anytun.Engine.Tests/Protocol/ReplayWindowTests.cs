using Anytun.Engine.Protocol;

namespace Anytun.Engine.Tests.Protocol;

/// <summary>Spec §6.2: per-sender window, slide, wrap guard, and the restart behaviour of §12.6.</summary>
public sealed class ReplayWindowTests
{
    [Fact]
    public void SizeZeroAcceptsEverythingAgain()
    {
        var window = new ReplayWindow(0);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(window.TryAccept(0, 5));
            Assert.True(window.TryAccept(0, 0));
        }

        Assert.Equal(0, window.SenderCount);
    }

    [Fact]
    public void FirstPacketIsAcceptedAndItsDuplicateIsNot()
    {
        var window = new ReplayWindow(64);
        Assert.True(window.TryAccept(0, 1000));
        Assert.False(window.TryAccept(0, 1000));
    }

    [Fact]
    public void OutOfOrderInsideTheWindowIsAcceptedOnce()
    {
        var window = new ReplayWindow(64);
        Assert.True(window.TryAccept(0, 100));
        Assert.True(window.TryAccept(0, 110));
        Assert.True(window.TryAccept(0, 105));
        Assert.False(window.TryAccept(0, 105));
        Assert.True(window.TryAccept(0, 101));
        Assert.False(window.TryAccept(0, 100));
        Assert.False(window.TryAccept(0, 110));
    }

    [Fact]
    public void WindowBoundaryIsMaxMinusSizePlusOne()
    {
        var window = new ReplayWindow(64);
        Assert.True(window.TryAccept(0, 1000));
        Assert.False(window.TryAccept(0, 1000 - 64)); // below min = max - N + 1
        Assert.True(window.TryAccept(0, 1000 - 63)); // exactly min
    }

    [Fact]
    public void SlidingClearsSlotsThatNowBelongToNewerNumbers()
    {
        var window = new ReplayWindow(8);
        for (uint seq = 0; seq < 8; seq++)
        {
            Assert.True(window.TryAccept(0, seq));
        }

        // Jump by 3: 8..10 new; 9 skipped then received out of order.
        Assert.True(window.TryAccept(0, 10));
        Assert.True(window.TryAccept(0, 9));
        Assert.True(window.TryAccept(0, 8));
        Assert.False(window.TryAccept(0, 9));
        Assert.False(window.TryAccept(0, 2)); // min is now 3
        Assert.False(window.TryAccept(0, 3)); // inside, already seen

        // A jump of more than the window clears everything.
        Assert.True(window.TryAccept(0, 100));
        Assert.True(window.TryAccept(0, 95));
        Assert.False(window.TryAccept(0, 92)); // min = 93
        Assert.True(window.TryAccept(0, 93));
    }

    [Fact]
    public void AnyNewerNumberIsAcceptedWithoutUpperBound()
    {
        var window = new ReplayWindow(64);
        Assert.True(window.TryAccept(0, 10));
        Assert.True(window.TryAccept(0, 0x40000000));
        Assert.False(window.TryAccept(0, 10));
    }

    [Fact]
    public void SenderIdsHaveIndependentWindows()
    {
        var window = new ReplayWindow(64);
        Assert.True(window.TryAccept(1, 0));
        Assert.True(window.TryAccept(2, 0));
        Assert.False(window.TryAccept(1, 0));
        Assert.False(window.TryAccept(2, 0));
        Assert.Equal(2, window.SenderCount);
    }

    [Fact]
    public void WrapGuardTreatsNumbersAfterTheWrapAsNewer()
    {
        var window = new ReplayWindow(64);
        Assert.True(window.TryAccept(0, 0xFFFFFFF0));
        Assert.True(window.TryAccept(0, 0xFFFFFFFF));
        Assert.True(window.TryAccept(0, 5)); // after the wrap: newer, window slides by 6
        Assert.True(window.TryAccept(0, 0xFFFFFFF5)); // before the wrap, still inside the window
        Assert.False(window.TryAccept(0, 0xFFFFFFF5));
        Assert.False(window.TryAccept(0, 0xFFFFFFF0));
        Assert.False(window.TryAccept(0, 0xFFFFFFFF));
        Assert.False(window.TryAccept(0, 5));
        Assert.True(window.TryAccept(0, 2));
        Assert.False(window.TryAccept(0, 0xFFFFFFC5)); // 64 behind 5 → below min
    }

    [Fact]
    public void WrapGuardNearTheTopTreatsSmallNumbersAsNewer()
    {
        var window = new ReplayWindow(16);
        Assert.True(window.TryAccept(0, 0xFFFFFFFA)); // max > 2^32 - 1 - N: guard subtracts
        Assert.True(window.TryAccept(0, 0xFFFFFFF0));
        Assert.False(window.TryAccept(0, 0xFFFFFFE9)); // 17 behind
        Assert.True(window.TryAccept(0, 3));
        Assert.True(window.TryAccept(0, 0xFFFFFFFB));
        Assert.False(window.TryAccept(0, 0xFFFFFFFA));
    }

    [Fact]
    public void RestartedPeerIsBlockedUntilItPassesTheOldMaximum()
    {
        // Spec §12.6 restart-w64: old max 4 → seq 0..4 dropped, 5 accepted.
        var window = new ReplayWindow(64);
        for (uint seq = 0; seq <= 4; seq++)
        {
            Assert.True(window.TryAccept(0, seq));
        }

        for (uint seq = 0; seq <= 4; seq++)
        {
            Assert.False(window.TryAccept(0, seq));
        }

        Assert.True(window.TryAccept(0, 5));

        // restart-w64-100: old max 99 → 0..99 dropped, 100 accepted.
        var big = new ReplayWindow(64);
        for (uint seq = 0; seq <= 99; seq++)
        {
            Assert.True(big.TryAccept(0, seq));
        }

        for (uint seq = 0; seq <= 99; seq++)
        {
            Assert.False(big.TryAccept(0, seq));
        }

        Assert.True(big.TryAccept(0, 100));
    }

    [Fact]
    public void WindowOfOneOnlyAcceptsIncreasingNumbers()
    {
        var window = new ReplayWindow(1);
        Assert.True(window.TryAccept(0, 10));
        Assert.False(window.TryAccept(0, 9));
        Assert.False(window.TryAccept(0, 10));
        Assert.True(window.TryAccept(0, 11));
    }

    [Fact]
    public void MatchesAReferenceModelOnRandomSequences()
    {
        // Reference: a set of accepted numbers with anytun's comparisons, no ring (small N, no wrap).
        var random = new Random(5);
        foreach (var size in new uint[] { 1, 7, 64, 100 })
        {
            var window = new ReplayWindow(size);
            var seen = new HashSet<uint>();
            uint max = 0;
            var first = true;
            for (var i = 0; i < 5000; i++)
            {
                var seq = (uint)(1000 + random.Next(0, 3000));
                bool expected;
                if (first)
                {
                    expected = true;
                    first = false;
                    max = seq;
                }
                else if (seq + size <= max || seq == max)
                {
                    expected = false;
                }
                else if (seq > max)
                {
                    expected = true;
                    max = seq;
                }
                else
                {
                    expected = !seen.Contains(seq);
                }

                if (expected)
                {
                    seen.Add(seq);
                }

                Assert.Equal(expected, window.TryAccept(0, seq));
            }
        }
    }

    [Theory]
    [InlineData(65u, 1)]
    [InlineData(130u, 2)]
    [InlineData(1000u, 3)]
    [InlineData(4097u, 4)]
    [InlineData(ReplayWindow.MaxSize, 5)]
    public void LargeWindowsMatchTheReferenceModelAcrossRingWraps(uint size, int seed)
    {
        // Mostly forward steps of every size (a few slots, a word, several words, more than the window), so the
        // word-wise clearing of the ring is exercised at every alignment and across the ring's end, plus old numbers.
        var random = new Random(seed);
        var window = new ReplayWindow(size);
        var seen = new HashSet<uint>();
        uint max = 1_000_000;
        Assert.True(window.TryAccept(0, max));
        seen.Add(max);
        for (var i = 0; i < 20_000; i++)
        {
            uint seq;
            switch (random.Next(6))
            {
                case 0: seq = max + (uint)random.Next(1, 3); break;
                case 1: seq = max + (uint)random.Next(1, 200); break;
                case 2: seq = max + (uint)random.Next(1, (int)Math.Min(size + 10, int.MaxValue)); break;
                case 3: seq = max + size + (uint)random.Next(0, 5); break;
                default: seq = max - (uint)random.Next(0, (int)Math.Min(size + 10, int.MaxValue)); break;
            }

            bool expected;
            if (seq + size <= max || seq == max)
            {
                expected = false;
            }
            else if (seq > max)
            {
                expected = true;
                max = seq;
            }
            else
            {
                expected = !seen.Contains(seq);
            }

            if (expected)
            {
                seen.Add(seq);
            }

            Assert.True(expected == window.TryAccept(0, seq), $"size {size}, step {i}: seq {seq} (max {max})");
        }
    }

    [Fact]
    public void WindowSizeAboveTheMaximumIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(ReplayWindow.MaxSize + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayWindow(uint.MaxValue));
    }

    [Fact]
    public void ResizedWindowKeepsEachSendersHighestNumber()
    {
        var window = new ReplayWindow(64);
        Assert.True(window.TryAccept(0, 100));
        Assert.True(window.TryAccept(7, 50));
        var resized = window.Resized(8);
        Assert.Equal(8u, resized.Size);
        Assert.False(resized.TryAccept(0, 100));
        Assert.False(resized.TryAccept(0, 99));
        Assert.True(resized.TryAccept(0, 101));
        Assert.False(resized.TryAccept(7, 50));
        Assert.True(resized.TryAccept(7, 51));
        Assert.True(resized.TryAccept(9, 1)); // a new sender starts fresh
        Assert.True(window.Resized(0).TryAccept(0, 100));
    }
}
