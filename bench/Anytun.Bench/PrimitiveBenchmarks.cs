using System.Security.Cryptography;
using Anytun.Engine.Crypto;
using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Anytun.Bench;

/// <summary>
/// The primitives with a fresh key per call, as SATP uses them: HMAC-SHA1 (ours: pads + reused IncrementalHash;
/// the BCL one-shot; BouncyCastle) and AES-CTR re-key + encrypt (AES-NI, portable BCL path, BouncyCastle).
/// </summary>
[MemoryDiagnoser]
public class PrimitiveBenchmarks
{
    private readonly byte[] _key20 = new byte[20];
    private readonly byte[] _key16 = new byte[16];
    private readonly byte[] _iv = new byte[16];
    private readonly byte[] _mac = new byte[20];
    private byte[] _data = null!;
    private HmacSha1 _hmac = null!;
    private HmacSha1 _hmacBcl = null!;
    private AesNiCtrCipher? _aesNi;
    private PortableAesCtrCipher _portable = null!;
    private byte _counter;

    [Params(64, 1400)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(1).NextBytes(_data);
        _hmac = new HmacSha1();
        _hmacBcl = new HmacSha1(useNative: false);
        _aesNi = AesCtrCipher.IsHardwareAccelerated ? new AesNiCtrCipher() : null;
        _portable = new PortableAesCtrCipher();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hmac.Dispose();
        _hmacBcl.Dispose();
        _aesNi?.Dispose();
        _portable.Dispose();
    }

    [Benchmark(Baseline = true)]
    public byte HmacSha1Ours()
    {
        _key20[0] = _counter++;
        _hmac.Compute(_key20, _data, _mac);
        return _mac[0];
    }

    [Benchmark]
    public byte HmacSha1OursIncrementalHash()
    {
        _key20[0] = _counter++;
        _hmacBcl.Compute(_key20, _data, _mac);
        return _mac[0];
    }

    [Benchmark]
    public byte HmacSha1BclOneShot()
    {
        _key20[0] = _counter++;
        HMACSHA1.HashData(_key20, _data, _mac);
        return _mac[0];
    }

    [Benchmark]
    public byte HmacSha1BouncyCastle()
    {
        _key20[0] = _counter++;
        var mac = new HMac(new Sha1Digest());
        mac.Init(new KeyParameter(_key20));
        mac.BlockUpdate(_data, 0, _data.Length);
        mac.DoFinal(_mac, 0);
        return _mac[0];
    }

    [Benchmark]
    public byte AesCtr128AesNi()
    {
        _key16[0] = _counter++;
        _aesNi!.SetKey(_key16);
        _aesNi.Transform(_iv, _data, _data);
        return _data[0];
    }

    [Benchmark]
    public byte AesCtr128Portable()
    {
        _key16[0] = _counter++;
        _portable.SetKey(_key16);
        _portable.Transform(_iv, _data, _data);
        return _data[0];
    }

    [Benchmark]
    public byte AesCtr128BouncyCastle()
    {
        _key16[0] = _counter++;
        var cipher = CipherUtilities.GetCipher("AES/CTR/NoPadding");
        cipher.Init(true, new ParametersWithIV(new KeyParameter(_key16), _iv));
        cipher.DoFinal(_data, 0, _data.Length, _data, 0);
        return _data[0];
    }
}
