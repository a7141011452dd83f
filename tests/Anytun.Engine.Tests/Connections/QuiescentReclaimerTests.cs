using Anytun.Engine.Configuration;
using Anytun.Engine.Connections;

namespace Anytun.Engine.Tests.Connections;

/// <summary>Retired objects are disposed only after every engine thread passed a quiescent point, never while one is inside.</summary>
public sealed class QuiescentReclaimerTests
{
    [Fact]
    public void WithoutThreadsInsideARetiredObjectIsDisposedAtOnce()
    {
        var reclaimer = new QuiescentReclaimer();
        var slot = reclaimer.Register("sender");
        slot.Enter();
        slot.Leave();
        var item = new Probe();
        reclaimer.Retire(item);
        Assert.True(item.Disposed);
        Assert.Equal(0, reclaimer.PendingCount);
    }

    [Fact]
    public void AThreadInsideDelaysDisposalUntilItLeaves()
    {
        var reclaimer = new QuiescentReclaimer();
        var sender = reclaimer.Register("sender");
        var receiver = reclaimer.Register("receiver");
        sender.Enter();
        receiver.Enter();
        var item = new Probe();
        reclaimer.Retire(item);
        Assert.False(item.Disposed);

        receiver.Leave();
        Assert.Equal(0, reclaimer.Poll());
        Assert.False(item.Disposed);

        // Leaving and entering again counts: the new section started after the retirement.
        sender.Leave();
        sender.Enter();
        Assert.Equal(1, reclaimer.Poll());
        Assert.True(item.Disposed);
    }

    [Fact]
    public void AThreadThatEntersAfterTheRetirementDoesNotDelayIt()
    {
        var reclaimer = new QuiescentReclaimer();
        var slot = reclaimer.Register("sender");
        var item = new Probe();
        reclaimer.Retire(item);
        slot.Enter();
        Assert.True(item.Disposed);
    }

    [Fact]
    public void DisposeAllDisposesEverythingPending()
    {
        var reclaimer = new QuiescentReclaimer();
        var slot = reclaimer.Register("sender");
        slot.Enter();
        var items = new[] { new Probe(), new Probe() };
        reclaimer.Retire(items[0]);
        reclaimer.Retire(items[1]);
        Assert.Equal(2, reclaimer.PendingCount);
        reclaimer.DisposeAll();
        Assert.All(items, i => Assert.True(i.Disposed));
    }

    [Fact]
    public async Task KeysAreNeverZeroedWhileAThreadIsInsideUsingThem()
    {
        // A reader thread loops: enter, read the current keys reference, check its bytes are intact, leave. A writer swaps
        // the reference and retires the old one thousands of times. Zeroing an object a reader still holds would show up
        // as zero bytes seen inside a critical section.
        var reclaimer = new QuiescentReclaimer();
        var slot = reclaimer.Register("reader");
        var current = NewKeys(1);
        var stop = false;
        long checks = 0;
        var failures = 0;
        var reader = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                slot.Enter();
                var keys = Volatile.Read(ref current);
                for (var i = 0; i < 20; i++)
                {
                    var (key, _) = keys.BuffersForTests;
                    if (key[0] == 0 || keys.IsDisposed)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }

                slot.Leave();
                Interlocked.Increment(ref checks);
            }
        }) { IsBackground = true };
        reader.Start();
        for (var round = 0; round < 5000; round++)
        {
            var next = NewKeys((byte)(round % 250 + 1));
            var old = Interlocked.Exchange(ref current, next);
            reclaimer.Retire(old);
            if (round % 100 == 0)
            {
                await Task.Yield();
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (reclaimer.PendingCount > 0 && DateTime.UtcNow < deadline)
        {
            reclaimer.Poll();
            await Task.Delay(1);
        }

        Volatile.Write(ref stop, true);
        Assert.True(reader.Join(TimeSpan.FromSeconds(5)), "the reader thread did not stop within 5 s");
        Assert.Equal(0, failures);
        Assert.True(checks > 0);
        Assert.Equal(0, reclaimer.PendingCount);
        current.Dispose();
    }

    private static ConnectionKeys NewKeys(byte first)
    {
        var key = new byte[16];
        key.AsSpan().Fill(first);
        return ConnectionKeys.Create(KeyDerivationPrf.AesCtr128, Role.Left, key, new byte[14]);
    }

    private sealed class Probe : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
