using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Crypto;
using Anytun.Engine.Sync;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Sync;

/// <summary>Table files (anytun-config output) with and without newlines, positions, and the writer's limits.</summary>
public sealed class SyncTableFileTests
{
    [Fact]
    public void ReadsTheFileWithAndWithoutNewlinesAlike()
    {
        var file = ControlPlaneVectors.Bytes("controld/table.txt");
        var withNewlines = SyncTableFile.Read(file);
        var chomped = SyncTableFile.Read(SyncTableFile.ToStream(file));
        Assert.Equal(5, withNewlines.Count);
        Assert.All(withNewlines, m => Assert.Equal(SyncMessageKind.Command, m.Kind));
        Assert.Equal(withNewlines.Select(m => m.Command!.ToString()), chomped.Select(m => m.Command!.ToString()));
        Assert.Equal(new int?[] { 1, 2, 3, 4, 5 }, withNewlines.Select(m => m.Line));
        Assert.All(chomped, m => Assert.Equal(1, m.Line));
        Assert.Equal(file, SyncTableFile.Encode(withNewlines.Select(m => m.Command!)));
    }

    [Fact]
    public void NamesTheLineAndColumnOfAnError()
    {
        var file = Encoding.ASCII.GetBytes(
            "00072 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12\n"
            + "00073 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 10 192.0.2.0x 12\n");
        var messages = SyncTableFile.Read(file);
        Assert.Equal(SyncMessageKind.Command, messages[0].Kind);
        var error = messages[1].Error!;
        Assert.Equal(SyncErrorKind.BadAddress, error.Kind);
        Assert.Equal(2, error.Line);
        Assert.Equal(68, error.Column);
        Assert.Equal(79 + 67, error.Offset);
        Assert.StartsWith("line 2, column 68 (byte offset 146): the IPv4 route address '192.0.2.0x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HintsAtCrlfLineEndings()
    {
        var file = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(ControlPlaneVectors.Bytes("controld/table.txt")).Replace("\n", "\r\n", StringComparison.Ordinal));
        var messages = SyncTableFile.Read(file);
        Assert.Equal(SyncMessageKind.Command, messages[0].Kind);
        var error = messages.First(m => m.Kind == SyncMessageKind.Error).Error!;
        Assert.Contains("CRLF line endings", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAFrameLongerThanFiveDigitsCanAnnounce()
    {
        using var big = SecretBytes.FromBytes(new byte[30_000]);
        using var connection = new SyncConnectionCommand(1, Role.Left, 128, big, big, 0, 0, "0.0.0.0", 0);
        var ex = Assert.Throws<AnytunException>(() => SyncWriter.EncodeFrame(connection));
        Assert.Equal(AnytunErrorCode.InvalidSyncData, ex.Code);
        Assert.Contains("at most 99999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WritesTheFileAndStreamForms()
    {
        var route = SyncRouteCommand.Create(System.Net.IPAddress.Parse("192.0.2.0"), 24, 12);
        const string frame = "00072 22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12";
        Assert.Equal(frame, Encoding.ASCII.GetString(SyncWriter.EncodeFrame(route)));
        Assert.Equal(frame + frame, Encoding.ASCII.GetString(SyncWriter.EncodeStream(new[] { route, route })));
        Assert.Equal(frame + "\n" + frame + "\n", Encoding.ASCII.GetString(SyncTableFile.Encode(new[] { route, route })));
    }

    [Fact]
    public void KeepsRouteAddressTextVerbatimAndFlagsPrefixesThatHangAnytun()
    {
        var verbatim = SyncRouteCommand.FromText(SyncAddressType.IPv6, "FEC0:0::1", 64, 1);
        Assert.Contains(" 9 FEC0:0::1 1", Encoding.ASCII.GetString(SyncWriter.EncodeFrame(verbatim)), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SyncRouteCommand.FromText(SyncAddressType.IPv4, "FEC0::1", 64, 1));
        Assert.True(SyncRouteCommand.Create(System.Net.IPAddress.Parse("10.0.0.128"), 25, 3).HangsReferenceImplementation);
        Assert.True(SyncRouteCommand.Create(System.Net.IPAddress.Parse("10.128.0.0"), 9, 3).HangsReferenceImplementation);
        Assert.False(SyncRouteCommand.Create(System.Net.IPAddress.Parse("10.0.0.0"), 25, 3).HangsReferenceImplementation);
        Assert.False(SyncRouteCommand.Create(System.Net.IPAddress.Parse("0.0.0.0"), 0, 3).HangsReferenceImplementation);
    }
}
