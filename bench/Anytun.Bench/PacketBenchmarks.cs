using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;
using Anytun.Engine.Protocol;
using BenchmarkDotNet.Attributes;

namespace Anytun.Bench;

/// <summary>
/// SATP encode / decode of one packet (per-packet key derivation, AES-CTR, HMAC-SHA1 tag 10) — what the tunnel
/// does for every datagram. Decode restores the captured ciphertext first (a 64..1400 byte copy) because it
/// decrypts in place.
/// </summary>
[MemoryDiagnoser]
public class PacketBenchmarks
{
    private SatpCryptoSuite _left = null!;
    private SatpCryptoSuite _right = null!;
    private SatpEncoder _encoder = null!;
    private SatpDecoder _decoder = null!;
    private byte[] _buffer = null!;
    private byte[] _datagram = null!;
    private byte[] _work = null!;
    private int _datagramLength;
    private uint _seq;

    [Params(64, 1400)]
    public int Size { get; set; }

    [Params("aes-ctr-128", "aes-ctr-256")]
    public string Suite { get; set; } = "aes-ctr-128";

    [Params(false, true)]
    public bool Portable { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        AesCtrCipher.ForcePortable = Portable;
        _left = BenchSuites.Create(Suite, Role.Left);
        _right = BenchSuites.Create(Suite, Role.Right);
        _encoder = _left.CreateEncoder();
        _decoder = _right.CreateDecoder();
        _buffer = GC.AllocateArray<byte>(SatpPacket.RequiredBufferSize(Size), pinned: true);
        _buffer.AsSpan(SatpPacket.InnerOffset, Size).Fill(0x45);
        _datagramLength = _encoder.Encode(_buffer, Size, PayloadType.IPv4, 12345, 0, 0);
        _datagram = _buffer[.._datagramLength];
        _work = GC.AllocateArray<byte>(_datagramLength, pinned: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _encoder.Dispose();
        _decoder.Dispose();
        _left.Dispose();
        _right.Dispose();
        AesCtrCipher.ForcePortable = false;
    }

    [Benchmark]
    public int Encode() => _encoder.Encode(_buffer, Size, PayloadType.IPv4, _seq++, 0, 0);

    [Benchmark]
    public int Decode()
    {
        _datagram.CopyTo(_work, 0);
        return (int)_decoder.Decode(_work, out _, out _, out var innerLength) + innerLength;
    }

    /// <summary>Encode then decode of the same packet: the per-packet crypto cost of both tunnel ends.</summary>
    [Benchmark]
    public int EncodeDecode()
    {
        var length = _encoder.Encode(_buffer, Size, PayloadType.IPv4, _seq++, 0, 0);
        return (int)_decoder.Decode(_buffer.AsSpan(0, length), out _, out _, out var innerLength) + innerLength;
    }
}
