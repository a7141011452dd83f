using System.Text.Json;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Sync;

/// <summary>Every recorded sync stream decodes to commands, and re-encodes to the same bytes (spec §1.2, §1.3).</summary>
public sealed class SyncStreamVectorTests
{
    public static TheoryData<string> Streams => ControlPlaneVectors.SyncStreams();

    [Fact]
    public void AllRecordedStreamsAreThere()
    {
        Assert.True(Streams.Count >= 30, $"only {Streams.Count} .bin streams under {ControlPlaneVectors.Root}");
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void DecodesEveryFrameAndReencodesByteForByte(string file)
    {
        var bytes = ControlPlaneVectors.Bytes(file);
        var messages = SyncStreamReader.ReadAll(bytes);
        try
        {
            Assert.NotEmpty(messages);
            long offset = 0;
            foreach (var message in messages)
            {
                Assert.True(message.Kind == SyncMessageKind.Command, $"{file} @{message.Offset}: {message}");
                Assert.Equal(offset, message.Offset);
                Assert.Equal(18, message.ArchiveVersion);
                offset += message.Length;
            }

            Assert.Equal(bytes.Length, offset);
            Assert.Equal(bytes, SyncWriter.EncodeStream(messages.Select(m => m.Command!)));
        }
        finally
        {
            Dispose(messages);
        }
    }

    [Fact]
    public void DecodesAnytunsOwnDumpAsThePythonDecoderDid()
    {
        var messages = SyncStreamReader.ReadAll(ControlPlaneVectors.Bytes("interop-python-writer/nc-s1-dump.bin"));
        var expected = File.ReadAllLines(ControlPlaneVectors.Path("interop-python-writer/nc-s1-dump.decoded.jsonl"));
        try
        {
            Assert.Equal(expected.Length, messages.Count);
            for (var i = 0; i < expected.Length; i++)
            {
                using var json = JsonDocument.Parse(expected[i]);
                var e = json.RootElement;
                Assert.Equal(e.GetProperty("archive_version").GetInt32(), messages[i].ArchiveVersion);
                if (e.GetProperty("cmd").GetString() == "connection")
                {
                    var c = Assert.IsType<SyncConnectionCommand>(messages[i].Command);
                    Assert.Equal(e.GetProperty("mux").GetInt32(), c.Mux);
                    Assert.Equal(e.GetProperty("role").GetInt32(), (int)c.Role);
                    Assert.Equal(e.GetProperty("keybits").GetInt32(), c.KeyLengthBits);
                    Assert.Equal(e.GetProperty("salt").GetString(), Convert.ToHexStringLower(c.MasterSalt.Span));
                    Assert.Equal(e.GetProperty("key").GetString(), Convert.ToHexStringLower(c.MasterKey.Span));
                    Assert.Equal(e.GetProperty("window").GetUInt32(), c.WindowSize);
                    Assert.Equal(e.GetProperty("seq").GetUInt32(), c.SequenceNumber);
                    Assert.Equal(e.GetProperty("host").GetString(), c.RemoteHost);
                    Assert.Equal(e.GetProperty("port").GetInt32(), c.RemotePort);
                    Assert.False(c.HasRemoteEndpoint); // anytun re-serialises an unknown endpoint as 0.0.0.0 port 0
                    Assert.Null(c.RemoteEndPoint);
                }
                else
                {
                    var r = Assert.IsType<SyncRouteCommand>(messages[i].Command);
                    Assert.Equal(e.GetProperty("family").GetInt32(), (int)r.AddressType);
                    Assert.Equal(e.GetProperty("addr").GetString(), r.AddressText);
                    Assert.Equal(e.GetProperty("plen").GetInt32(), r.PrefixLength);
                    Assert.Equal(e.GetProperty("mux").GetInt32(), r.Mux);
                }
            }
        }
        finally
        {
            Dispose(messages);
        }
    }

    [Fact]
    public void ControldServesTheTableFileWithoutItsNewlines()
    {
        var table = ControlPlaneVectors.Bytes("controld/table.txt");
        var served = ControlPlaneVectors.Bytes("controld/nc-controld.bin");
        Assert.Equal(666, table.Length);
        Assert.Equal(served, SyncTableFile.ToStream(table));
        Assert.Equal(served, ControlPlaneVectors.Bytes("controld/streams/stream-127.0.0.1_2424-to-127.0.0.1_50908.bin"));
        Assert.Equal(SyncTableFile.ToStream(ControlPlaneVectors.Bytes("controld/table2.txt")), ControlPlaneVectors.Bytes("controld/streams/stream-127.0.0.1_2424-to-127.0.0.1_59118.bin"));
    }

    [Fact]
    public void WriterReproducesThePythonTableThatRealAnytunAccepted()
    {
        // py-table.bin (582 bytes) is byte-identical to the first 582 bytes of controld's stream for the same inputs.
        var table = ControlPlaneVectors.Bytes("interop-python-writer/py-table.bin");
        Assert.Equal(ControlPlaneVectors.Bytes("controld/nc-controld.bin").AsSpan(0, 582).ToArray(), table);

        using var pass1 = SecretBytes.FromUtf8("Creating_VPN_Tunnels_With_Anytun_Is_Easy");
        using var pass2 = SecretBytes.FromUtf8("Other_Client_Passphrase_1234567890");
        using var key1 = MasterKeyMaterial.KeyFromPassphrase(pass1.Span, 16);
        using var salt1 = MasterKeyMaterial.SaltFromPassphrase(pass1.Span);
        using var key2 = MasterKeyMaterial.KeyFromPassphrase(pass2.Span, 16);
        using var salt2 = MasterKeyMaterial.SaltFromPassphrase(pass2.Span);
        using var c1 = new SyncConnectionCommand(1, Role.Left, 128, salt1, key1, 0, 0, "0.0.0.0", 4444);
        using var c2 = new SyncConnectionCommand(2, Role.Left, 128, salt2, key2, 0, 0, "0.0.0.0", 4444);
        var commands = new SyncCommand[]
        {
            c1,
            SyncRouteCommand.Create(System.Net.IPAddress.Parse("10.200.0.2"), 32, 1),
            c2,
            SyncRouteCommand.Create(System.Net.IPAddress.Parse("10.200.0.3"), 32, 2),
        };

        Assert.Equal(table, SyncWriter.EncodeStream(commands));
    }

    [Fact]
    public void TheManPageExampleFrameIsAnnotatedCorrectly()
    {
        var messages = SyncTableFile.Read(ControlPlaneVectors.Bytes("anytun-config/set1-manpage-example.txt"));
        try
        {
            Assert.Equal(3, messages.Count);
            var connection = Assert.IsType<SyncConnectionCommand>(messages[0].Command);
            Assert.Equal(12, connection.Mux);
            Assert.Equal(Role.Left, connection.Role);
            Assert.Equal(128, connection.KeyLengthBits);
            Assert.Equal("0123456789ABCDDCBA9876543210", Convert.ToHexString(connection.MasterSalt.Span));
            Assert.Equal("0123456789ABCDEFFEDCBA9876543210", Convert.ToHexString(connection.MasterKey.Span));
            Assert.Equal("0.0.0.0", connection.RemoteHost);
            Assert.Equal(4444, connection.RemotePort);
            Assert.False(connection.HasRemoteEndpoint);
            Assert.DoesNotContain("1 35 69", connection.ToString(), StringComparison.Ordinal);
            Assert.Equal("192.0.2.0/24 -> 12", messages[1].Command!.ToString());
            Assert.Equal("192.168.1.1/32 -> 12", messages[2].Command!.ToString());
            Assert.Equal(new int?[] { 1, 2, 3 }, messages.Select(m => m.Line));
            Assert.Equal(new long[] { 0, 213, 292 }, messages.Select(m => m.Offset));
        }
        finally
        {
            Dispose(messages);
        }
    }

    private static void Dispose(IEnumerable<SyncMessage> messages)
    {
        foreach (var message in messages)
        {
            message.Dispose();
        }
    }
}
