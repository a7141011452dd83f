using System.Threading.Channels;

namespace Anytun.Engine.Control;

/// <summary>
/// Fans every <see cref="TunnelChange"/> out to the subscribers, each through its own bounded channel. Publishing never
/// blocks and never waits for a consumer: when a subscriber's queue is full the change is dropped for it and counted
/// (<see cref="ChangeSubscription.Dropped"/>), so a slow consumer can never stall a packet thread that learns a remote.
/// </summary>
internal sealed class TunnelChangeFeed
{
    private readonly object _lock = new();
    private ChangeSubscription[] _subscribers = Array.Empty<ChangeSubscription>();
    private bool _completed;

    public ChangeSubscription Subscribe(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        var subscription = new ChangeSubscription(this, capacity);
        lock (_lock)
        {
            if (_completed)
            {
                subscription.Complete();
                return subscription;
            }

            var next = new ChangeSubscription[_subscribers.Length + 1];
            _subscribers.CopyTo(next, 0);
            next[^1] = subscription;
            _subscribers = next;
        }

        return subscription;
    }

    public void Publish(TunnelChange change)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Offer(change);
        }
    }

    /// <summary>Ends every subscription (the tunnel stopped); readers finish after the queued changes.</summary>
    public void Complete()
    {
        ChangeSubscription[] subscribers;
        lock (_lock)
        {
            _completed = true;
            subscribers = _subscribers;
            _subscribers = Array.Empty<ChangeSubscription>();
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Complete();
        }
    }

    internal void Unsubscribe(ChangeSubscription subscription)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_subscribers, subscription);
            if (index < 0)
            {
                return;
            }

            var next = new ChangeSubscription[_subscribers.Length - 1];
            Array.Copy(_subscribers, 0, next, 0, index);
            Array.Copy(_subscribers, index + 1, next, index, _subscribers.Length - index - 1);
            _subscribers = next;
        }
    }
}

/// <summary>One consumer's view of a tunnel's changes: read <see cref="Reader"/>; dispose to stop receiving.</summary>
public sealed class ChangeSubscription : IDisposable
{
    private readonly TunnelChangeFeed _feed;
    private readonly Channel<TunnelChange> _channel;
    private long _dropped;

    internal ChangeSubscription(TunnelChangeFeed feed, int capacity)
    {
        _feed = feed;
        _channel = Channel.CreateBounded<TunnelChange>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite only: a full queue refuses, and we count it
            SingleReader = false,
            SingleWriter = false,
        });
    }

    /// <summary>The changes, in the order they were made. Completes when the tunnel stops or this is disposed.</summary>
    public ChannelReader<TunnelChange> Reader => _channel.Reader;

    /// <summary>Changes this subscriber missed because its queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Dispose()
    {
        _feed.Unsubscribe(this);
        Complete();
    }

    internal void Offer(TunnelChange change)
    {
        if (!_channel.Writer.TryWrite(change))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    internal void Complete() => _channel.Writer.TryComplete();
}
