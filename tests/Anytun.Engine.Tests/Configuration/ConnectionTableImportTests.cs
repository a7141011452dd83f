using Anytun.Engine.Configuration;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Configuration;

/// <summary>Import of connection tables back into anytun-config definitions, and the round trip to the same bytes.</summary>
public sealed class ConnectionTableImportTests
{
    public static TheoryData<string> Sets => new()
    {
        "set1-manpage-example.txt",
        "set2-passphrase-ipv6-remote.txt",
        "set3-aes256-default-role.txt",
        "set4-null-kd.txt",
        "set5-no-options.txt",
        "set6-ipv6-remote.txt",
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public async Task EveryAnytunConfigVectorRoundTripsByteForByte(string file)
    {
        var recorded = ControlPlaneVectors.Bytes($"anytun-config/{file}");

        Assert.Equal(recorded, await RoundTripAsync(recorded));
        Assert.Equal(recorded, await RoundTripAsync(SyncTableFile.ToStream(recorded))); // the form without newlines
    }

    [Fact]
    public async Task AWholeControldTableRoundTrips()
    {
        var table = ControlPlaneVectors.Bytes("controld/table.txt");
        Assert.Equal(table, await RoundTripAsync(table));
    }

    [Fact]
    public void RoutesGoToTheirConnectionAndTheKdPrfFollowsTheKeyLength()
    {
        var messages = SyncTableFile.Read(ControlPlaneVectors.Bytes("anytun-config/set3-aes256-default-role.txt"));
        var result = ConnectionTableImport.Import(messages);

        var definition = Assert.Single(result.Definitions);
        Assert.Empty(result.Problems);
        Assert.Equal((3, KeyDerivationPrf.AesCtr256, Role.Left, (string?)null), (definition.Mux, definition.KdPrf, definition.Role, definition.RemoteHost));
        Assert.Equal("10.0.0.0/8", Assert.Single(definition.Routes).ToString());
        Assert.Equal(32, definition.MasterKey.Length);
    }

    [Fact]
    public void MalformedFramesAndOrphanRoutesAreReportedWithTheirLine()
    {
        var route = SyncTableFile.Encode(new SyncCommand[] { SyncRouteCommand.Create(System.Net.IPAddress.Parse("10.9.0.0"), 16, 9) });
        var file = route.Concat("00010 garbage...\n"u8.ToArray()).Concat(ControlPlaneVectors.Bytes("anytun-config/set4-null-kd.txt")).ToArray();

        var result = ConnectionTableImport.Import(SyncTableFile.Read(file));

        Assert.Single(result.Definitions);
        Assert.Contains(result.Problems, p => !p.IsError && p.Line == 1 && p.Message.Contains("before any connection entry for mux 9", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.IsError && p.Line == 2);
    }

    private static async Task<byte[]> RoundTripAsync(byte[] table)
    {
        var messages = SyncTableFile.Read(table);
        try
        {
            var result = ConnectionTableImport.Import(messages);
            Assert.DoesNotContain(result.Problems, p => p.IsError);
            var commands = new List<SyncCommand>();
            foreach (var definition in result.Definitions)
            {
                commands.AddRange(await definition.CreateCommandsAsync(static (_, _, _) => throw new InvalidOperationException("no DNS in this test")));
            }

            return SyncTableFile.Encode(commands);
        }
        finally
        {
            foreach (var message in messages)
            {
                message.Dispose();
            }
        }
    }
}
