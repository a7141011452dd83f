using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Anytun.Engine.Tests.Control;

/// <summary>
/// A stand-in for anytun-controld on 127.0.0.1 (a test fixture): every accepted connection gets the next queued
/// reply written to it, then the connection is either held open (as controld does) or closed. When the queue is
/// empty, <see cref="Default"/> is served. Counts the connections it accepted.
/// </summary>
internal sealed class SyncServerFixture : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentQueue<(byte[] Bytes, bool Close)> _replies = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _held = new();
    private readonly Task _accepting;
    private int _accepted;

    public SyncServerFixture(byte[] @default, int port = 0, bool closeAfterDefault = false)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        Default = @default;
        CloseAfterDefault = closeAfterDefault;
        _listener.Start();
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public byte[] Default { get; set; }

    public bool CloseAfterDefault { get; set; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Serves <paramref name="bytes"/> to the next connection, then closes it or keeps it open.</summary>
    public void Enqueue(byte[] bytes, bool close) => _replies.Enqueue((bytes, close));

    /// <summary>Closes every connection held open (the clients see the end of the stream).</summary>
    public void DropAll()
    {
        lock (_held)
        {
            foreach (var socket in _held)
            {
                socket.Dispose();
            }

            _held.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        DropAll();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            var (bytes, close) = _replies.TryDequeue(out var reply) ? reply : (Default, CloseAfterDefault);
            try
            {
                await socket.SendAsync(bytes, SocketFlags.None);
            }
            catch (SocketException)
            {
            }

            if (close)
            {
                socket.Shutdown(SocketShutdown.Send);
                socket.Dispose();
            }
            else
            {
                lock (_held)
                {
                    _held.Add(socket);
                }
            }
        }
    }
}
