using System.Text;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Sync;

/// <summary>The stream reader copes with partial reads, cancellation, failing streams and hostile length prefixes.</summary>
public sealed class SyncFrameReaderTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ReadsAStreamThatDeliversOneByteAtATime()
    {
        var bytes = ControlPlaneVectors.Bytes("controld/nc-controld.bin");
        using var reader = new SyncStreamReader(new TrickleStream(bytes));
        var seen = new List<string>();
        await foreach (var message in reader.ReadAllAsync().WithCancellation(new CancellationTokenSource(Deadline).Token))
        {
            using (message)
            {
                seen.Add(message.ToString());
            }
        }

        var expected = SyncStreamReader.ReadAll(bytes).Select(m => m.ToString()).ToList();
        Assert.Equal(5, seen.Count);
        Assert.Equal(expected, seen);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public async Task CancellationStopsAReadInTheMiddleOfAFrame()
    {
        var frame = ControlPlaneVectors.Bytes("controld/nc-controld.bin")[..100];
        using var reader = new SyncStreamReader(new StallingStream(frame));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var read = reader.ReadMessageAsync(cancel.Token).AsTask();
        var finished = await Task.WhenAny(read, Task.Delay(Deadline));
        Assert.True(finished == read, "ReadMessageAsync did not return within 10 s of being cancelled");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadMessageAsync().AsTask());
    }

    [Fact]
    public async Task AFailingStreamIsAnErrorMessageNotAnException()
    {
        var bytes = ControlPlaneVectors.Bytes("controld/nc-controld.bin");
        using var reader = new SyncStreamReader(new FailingStream(bytes[..250]));
        var first = await reader.ReadMessageAsync();
        Assert.Equal(SyncMessageKind.Command, first!.Kind);
        first.Dispose();
        var failed = await reader.ReadMessageAsync();
        Assert.Equal(SyncErrorKind.StreamError, failed!.Error!.Kind);
        Assert.Contains("connection reset", failed.Error.Message, StringComparison.Ordinal);
        Assert.Null(await reader.ReadMessageAsync());
    }

    [Fact]
    public void AHugeLengthPrefixOnlyCostsTheBytesThatArrive()
    {
        var input = Encoding.ASCII.GetBytes("99999 " + new string('7', 1000));
        SyncStreamReader.ReadAll(input);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var message = Assert.Single(SyncStreamReader.ReadAll(input));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(SyncErrorKind.TruncatedFrame, message.Error!.Kind);
        Assert.True(allocated < 12 * 1024, $"{allocated} bytes allocated for 1006 input bytes announcing 99999");
    }

    [Fact]
    public void LeadingWhitespaceInTheLengthPrefixIsAccepted()
    {
        var archive = "22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12";
        var message = Assert.Single(SyncStreamReader.ReadAll(Encoding.ASCII.GetBytes("\n 072 " + archive)));
        Assert.Equal("192.0.2.0/24 -> 12", message.Command!.ToString());
    }

    /// <summary>Returns one byte per read, asynchronously.</summary>
    private sealed class TrickleStream(byte[] data) : TestStream
    {
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (_position == data.Length || buffer.Length == 0)
            {
                return 0;
            }

            buffer.Span[0] = data[_position++];
            return 1;
        }
    }

    /// <summary>Delivers its data, then blocks until the read is cancelled (a silent peer).</summary>
    private sealed class StallingStream(byte[] data) : TestStream
    {
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < data.Length)
            {
                var count = Math.Min(buffer.Length, data.Length - _position);
                data.AsSpan(_position, count).CopyTo(buffer.Span);
                _position += count;
                return count;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }

    /// <summary>Delivers its data, then throws as a reset socket does.</summary>
    private sealed class FailingStream(byte[] data) : TestStream
    {
        private int _position;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == data.Length)
            {
                throw new IOException("connection reset by peer");
            }

            var count = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return ValueTask.FromResult(count);
        }
    }

    private abstract class TestStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
