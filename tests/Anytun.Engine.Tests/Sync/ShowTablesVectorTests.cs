using System.Text;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Sync;

/// <summary>The renderer reproduces every recorded anytun-showtables output byte for byte (spec §4, vectors/showtables).</summary>
public sealed class ShowTablesVectorTests
{
    /// <summary>Probes on which the reference loops forever (killed by timeout 5, status 124, empty output).</summary>
    private static readonly Dictionary<string, string> Hangs = new(StringComparer.Ordinal)
    {
        ["route-10.0.0.128-25"] = "Route: 10.0.0.128/25 -> 3\n",
        ["route-10.128.0.0-9"] = "Route: 10.128.0.0/9 -> 3\n",
    };

    public static TheoryData<string> Probes => ControlPlaneVectors.ShowTablesProbes();

    [Fact]
    public void AllTwentyProbesAreThere()
    {
        Assert.Equal(20, Probes.Count);
    }

    [Theory]
    [MemberData(nameof(Probes))]
    public void ReproducesProbe(string probe)
    {
        var input = ControlPlaneVectors.Bytes($"showtables/{probe}.in");
        var recorded = ControlPlaneVectors.Text($"showtables/{probe}.out");

        var rendered = ShowTablesRenderer.RenderText(input);

        if (Hangs.TryGetValue(probe, out var correct))
        {
            // The reference printed nothing because it never finished; we print the route, as the spec says is right.
            Assert.Equal(string.Empty, recorded);
            Assert.Contains($"### {probe}\n", ControlPlaneVectors.Text("showtables/probe-results.txt"), StringComparison.Ordinal);
            Assert.Equal(correct, rendered);
            return;
        }

        Assert.Equal(recorded, rendered);
    }

    [Theory]
    [InlineData("controld/nc-controld.bin", "controld/showtables-controld.txt")]
    [InlineData("controld/nc-s1-sync-after-controld.bin", "controld/showtables-s1.txt")]
    [InlineData("controld/nc-s1-sync-after-client.bin", "controld/showtables-s1-after-client.txt")]
    [InlineData("controld/nc-s1-sync-after-reload.bin", "controld/showtables-s1-after-reload.txt")]
    [InlineData("controld/table.txt", "controld/showtables-file-raw.txt")]
    [InlineData("sync-mesh/nc-s3-dump.bin", "sync-mesh/showtables-s3.txt")]
    [InlineData("sync-mesh/nc-s1-after-traffic.bin", "sync-mesh/showtables-s1-after-traffic.txt")]
    [InlineData("sync-mesh/nc-s2-after-traffic.bin", "sync-mesh/showtables-s2-after-traffic.txt")]
    [InlineData("sync-mesh/nc-s3-after-traffic.bin", "sync-mesh/showtables-s3-after-traffic.txt")]
    [InlineData("sync-mesh-no-route/nc-s3-dump.bin", "sync-mesh-no-route/showtables-s3.txt")]
    public void ReproducesCapture(string input, string output)
    {
        Assert.Equal(ControlPlaneVectors.Text(output), ShowTablesRenderer.RenderText(ControlPlaneVectors.Bytes(input)));
    }

    [Fact]
    public void ReproducesTheChompedTableFile()
    {
        // perl -ne 'chomp; print' < table.txt | anytun-showtables
        var chomped = SyncTableFile.ToStream(ControlPlaneVectors.Bytes("controld/table.txt"));
        Assert.Equal(ControlPlaneVectors.Text("controld/showtables-file-chomped.txt"), ShowTablesRenderer.RenderText(chomped));
    }

    [Fact]
    public async Task RendersALiveStreamLineByLine()
    {
        var input = ControlPlaneVectors.Bytes("controld/nc-controld.bin");
        var lines = new List<string>();
        await foreach (var line in ShowTablesRenderer.RenderAsync(new MemoryStream(input)))
        {
            lines.Add(line);
        }

        Assert.Equal(ControlPlaneVectors.Text("controld/showtables-controld.txt"), string.Concat(lines.Select(l => l + "\n")));
    }

    [Theory]
    [InlineData("00080 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12", "Route: 192.0.2.0/24 -> 122\n")]
    [InlineData("  072 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12", "Route: 192.0.2.0/24 -> 12\n")]
    [InlineData("00000 00072 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12", "Route: 192.0.2.0/24 -> 12\n")]
    [InlineData("*22 serialization::archive 18 0 0 5 route 0 0 0 0 48 0 0 2 123456789 5", "Route: /48 -> 5\n")]
    [InlineData("*22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 10 192.0.2.0x 12", "uncaught exception, exiting: Invalid argument\n")]
    [InlineData("*22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0x 12", "uncaught exception, exiting: input stream error\nRoute: 192.0.2.0/24 -> 0\n")]
    [InlineData("*22 serialization::archive 18 0 0 5 route 0 0 0 0 64 0 0 1 13 FE80:0:0:0::1 12", "Route: fe80::1/64 -> 12\n")]
    [InlineData("*22 serialization::archive 18 0 0 5 route 0 0 0 0 64 0 0 1 9 ::1.2.3.4 12", "Route: ::1.2.3.4/64 -> 12\n")]
    [InlineData("*22 serialization::archive 18 0 0 5 route 0 0 0 0 64 0 0 1 15 1:0:0:1:0:0:0:1 12", "Route: 1:0:0:1::1/64 -> 12\n")]
    [InlineData("*22 serialization::archive 18 0 0 5 route 0 0 0 0 64 0 0 1 14 ::ffff:1.2.3.4 12", "Route: ::ffff:1.2.3.4/64 -> 12\n")]
    [InlineData("*22 serialization::archive 18 0 0 5 route 0 0 0 0 64 0 0 0 14 ::ffff:1.2.3.4 12", "uncaught exception, exiting: Invalid argument\n")]
    [InlineData("*22 serialization::archive 18 0 0 10 connection 0 0 7x 0 0 0 0 1 128 0 0 0 0 0 0 0 0 8 10.1.2.3 4444", "uncaught exception, exiting: input stream error\nClient 7: not registered\n")]
    public void MatchesTheReferenceOnOtherObservedInputs(string input, string expected)
    {
        // Each pair was observed with the installed /usr/bin/anytun-showtables (without its random closing line).
        // "*" stands for the correct length prefix.
        var bytes = input.StartsWith('*') ? Frame(input[1..]) : Encoding.Latin1.GetBytes(input);
        Assert.Equal(expected, StripClosingLine(ShowTablesRenderer.RenderText(bytes), expected));
    }

    /// <summary>
    /// Inputs the differential run against the installed anytun-showtables found, with what it printed: a string cut
    /// off by the end of a frame keeps boost's previous value ("::"), a tracking flag of 1 makes Boost read object ids
    /// and carry on out of step, a frame cut right after its separator fails at its first number.
    /// </summary>
    [Theory]
    [InlineData("MDAxMDYgMjIgc2VyaWFsaXphdGlvbjo6YXJjaGl2ZSAxOCAwIDAgNSByb3V0ZSAwIDAgMCAwIDExOCAwICAwIDEgMw==", "uncaught exception, exiting: input stream error\nRoute: ::/118 -> 1\n")]
    [InlineData("MDAzMTYgMjIgc2VyaWFsaXphdGlvbjo6YXJjaGl2ZSAxOCAwIDAgMTAgY29ubmVjdGlvbiAxIDAgNDYyNDggMCAwIDAgMCAwIDE5MiAwIDAgMTQgMjggMjE3IDIxMCAxODAgMTQ5IDIwMiAyMzEgMTUgMTYzIDI0NCAxMjMgMTU0IDEwNiAxMzAgMzMgMTE4IDIzOSAyMzcgNjMgMTY5IDIzNyAyMjEgNjQgNDkgMTc0IDYyIDIyMyA4NSAyNyA5IDY0IDUwIDEwMCA4NSAyMjUgNDEgNDAgMTUyIDI0MyAyNDQgMjU1IDIwNCA5OCAxNDQgMiAzOSA2NSAxMTMgMCAwIDE4NzA0IDE0NzMxMDczMCAzOCA0NzYwOjg2MzE6YmU1Mzo1ZDI1OmEyMjc6YjhhOmNiYjU6YTFkZiAyNzE2OTAwMTA3IDIyIHNlcmlhbGl6YXRpb246OmFyY2hpdmUgMTggMCAwIDUgcm91dGUgMCAwIDAgMCA4MCAwIDAgMSAzOSA5YzkxOjViODA6ODdiYTpjMmNiOmI3MGY6OWFiNjo1NzAzOjFkMWUgMTE2OTEwMDEwNyAyMiBzZXJpYWxpemF0aW9uOjphcmNoaXZlIDE4IDAgMCA1IHJvdXRlIDAgMCAwIDAgMTIwIDAgMCAxIDM5IGUyZDM6YjVlYjpkOGQ2OjMwYjA6M2NhYTo2NWIzOmE1NmI6M2JiZSAyMzMxODAwMDcxIDIyIHNlcmlhbGl6YXRpb246OmFyY2hpdmUgMTggMCAwIDUgcm91dGUgMCAwIDAgMCAyNDMgMCAwIDIgMzA1NTMzNCA2MzM1MDAyODEgMjIgc2VyaWFsaXphdGlvbjo6YXJjaGl2ZSAxOCAwIDAgMTAgY29ubmVjdGlvbiAwIDAgNTAwOTYgMCAwIDAgMCAwIDAgMCAwIDE0IDUyIDE0NyAxMTIgMTQgMTAKMTQ4IDIxMSAxOTEgMjcgMTE0IDExOSAyMTggOCAxODQgMzMgNTYgMTE3IDEzMyA4MiAxMTMgODQgMTQzIDU1IDE0NyAxNzAgNSAxOTkgMjMxIDE2NCAxODEgMTk2IDc3IDkwIDM5IDI0NiAZNyAyMTggOTUgMTM5IDIyMiAyNDggMTU5IDIwMiA0MCAxODQgMTM2IDE4MiAzMiAwIDAgMzkwOTgyODY3IDU1NTI3Njc4IDIgOjogMjk3NTU=", "uncaught exception, exiting: input stream error\nClient 0: not registered\nuncaught exception, exiting: input stream error\nRoute: 9c91:5b80:87ba:c2cb:b70f:9ab6:5703:1d1e/80 -> 65535\nuncaught exception, exiting: invalid signature\nuncaught exception, exiting: invalid signature\nuncaught exception, exiting: invalid signature\n")]
    [InlineData("MDAwODAgMjIgc2VyaWFsaXphdGlvbjo6YXJjaGl2ZSAxOCAwIDAgNSByb3V0ZSAwIDAgMCAwIDE3NSAwIDAgMiA0MTg1MTgyODUwMjQzOTkxIDMwOTcwMDEyOSAyMiByZXJpr2FsaXphdGlvbjo6YXJjjFZFTntoaXZlIDE4IDAgMCAxMCBjb25uZWN0aW9uIDAgMCA0NTUzOCAwIDAgMCAwIDEgMTkyIDAgMCAxIDE0IDIgMjAxIDI0MSAwIDAgNzgxMyAxMDAyOTQ3IDEzIDEwOS40My4xMTAuMjMgMjUxMTM=", "Route: /175 -> 3097\nuncaught exception, exiting: invalid signature\nuncaught exception, exiting: input stream error\n")]
    [InlineData("MDAzMzggMjIgc2VyaWFsaXphdGlvbjo6YXJjaGl2ZSAxOCAwIDAgMTAgY29ubmVjdGlvbiAwIDAgMzI5NjUgMCAwIDAgMCAxIDI1NiAwIDAgMTkgODIgNTcgMzcgMTUgMzkgMTY5IDE3MCA4OSAxMjAgMTU4IDEwNCAxMjQgOTYgMTkyIDg2IDExMyAxNDAgODAgMjIyIDM3IDQ3IDIzIDE2OSA2NCAyMTkgMTM2IDEzOCAyNCAxOTYgODggMTkxIDExNiAyMjkWWOMTelPezCAxNyAxNjUgNzUgMjA2IDE2OSAyMjggMjIgNTUgOTUgMTMzIDEwMyA2MiAxODAgNDkgNTUgV7TBNFBMhUF5RD00NCAxNjUgODAgMjMwIDE1NCAzOSAxMTIgMjQ4IDIxNCAwIDAgOTk5NCAzIDM4IGZhNjI6YjdmODozODk0OjY1NjQ6OWEwYjoxZmRlOmVmMDpmYWRiIDUxMTU5", "uncaught exception, exiting: input stream error\nClient 32965: not registered\nuncaught exception, exiting: input stream error\nuncaught exception, exiting: input stream error\n")]
    public void MatchesTheReferenceOnInputsFoundByDifferentialFuzzing(string input, string expected)
    {
        Assert.Equal(expected, StripClosingLine(ShowTablesRenderer.RenderText(Convert.FromBase64String(input)), expected));
    }

    internal static byte[] Frame(string archive) => Encoding.Latin1.GetBytes($"{archive.Length:00000} {archive}");

    private static string StripClosingLine(string rendered, string expected)
    {
        const string closing = "uncaught exception, exiting: input stream error\n";
        return rendered.EndsWith(closing, StringComparison.Ordinal) && !expected.EndsWith(closing, StringComparison.Ordinal)
            ? rendered[..^closing.Length]
            : rendered;
    }
}
