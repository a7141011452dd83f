using System.Text;
using Anytun.Engine.Configuration;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Tests.Sync;

/// <summary>Malformed frames become errors that name the byte offset and what was expected; nothing throws.</summary>
public sealed class SyncReaderErrorTests
{
    private const string Route = "22 serialization::archive 18 0 0 5 route 0 0 0 0 24 0 0 0 9 192.0.2.0 12";

    private const string Connection = "22 serialization::archive 18 0 0 10 connection 0 0 5 0 0 0 0 1 128 0 0 14 1 2 3 4 5 6 7 8 9 10 11 12 13 14 16 "
        + "201 202 203 204 205 206 207 208 209 210 211 212 213 214 215 216 0 0 32 77 8 10.1.2.3 4444";

    [Fact]
    public void ReadsAValidConnection()
    {
        using var message = Single(Frame(Connection));
        var c = Assert.IsType<SyncConnectionCommand>(message.Command);
        Assert.Equal((5, Role.Right, 128, 32u, 77u, "10.1.2.3", 4444), (c.Mux, c.Role, c.KeyLengthBits, c.WindowSize, c.SequenceNumber, c.RemoteHost, c.RemotePort));
        Assert.Equal("10.1.2.3:4444", c.RemoteEndPoint!.ToString());
        Assert.DoesNotContain("201", c.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abcde " + Route, SyncErrorKind.BadLengthPrefix, 0, "'abcde'")]
    [InlineData("-0001 " + Route, SyncErrorKind.BadLengthPrefix, 0, "not a decimal number")]
    [InlineData("     " + Route, SyncErrorKind.BadLengthPrefix, 0, "not a decimal number")]
    [InlineData("000", SyncErrorKind.TruncatedFrame, 0, "after 3 of the 5 length-prefix bytes")]
    [InlineData("00072", SyncErrorKind.TruncatedFrame, 0, "before its separator")]
    [InlineData("99999 22 serialization::archive", SyncErrorKind.TruncatedFrame, 0, "announced 99999 archive bytes but the stream ended after 25")]
    [InlineData("*garbage!!!", SyncErrorKind.BadNumber, 6, "the length of the archive signature")]
    [InlineData("*21 serialization::archiv 18", SyncErrorKind.BadSignature, 6, "'21'")]
    [InlineData("*22 serialization::archive", SyncErrorKind.BadNumber, 31, "the archive version (a decimal number), found the end of the archive")]
    [InlineData("*22 serialization::archive 70000 0 0", SyncErrorKind.NumberOutOfRange, 32, "the archive version '70000' is larger than 65535")]
    [InlineData("*22 serialization::archive 18 1 0 5 route", SyncErrorKind.TrackingNotSupported, 35, "tracking flag 1")]
    [InlineData("*22 serialization::archive 18 2 0 5 route", SyncErrorKind.BadNumber, 35, "tracking flag of the command wrapper class info is 2")]
    [InlineData("*22 serialization::archive 18 0 0 999 route 0 0", SyncErrorKind.LengthExceedsFrame, 39, "the command word claims 999 bytes")]
    public void ReportsFramingAndHeaderErrors(string input, SyncErrorKind kind, long offset, string detail)
    {
        AssertError(input.StartsWith('*') ? Frame(input[1..]) : Encoding.Latin1.GetBytes(input), kind, offset, detail);
    }

    [Theory]
    [InlineData("9 192.0.2.0 12", "9 192.0.2.0x 12", "x", SyncErrorKind.BadNumber, "the mux of the route command (a decimal number), found 'x'")]
    [InlineData("9 192.0.2.0 12", "10 192.0.2.0x 12", "192", SyncErrorKind.BadAddress, "the IPv4 route address '192.0.2.0x' is not an IPv4 address")]
    [InlineData("9 192.0.2.0 12", "9 192.0.2.0 70000", "70000", SyncErrorKind.NumberOutOfRange, "the mux of the route command '70000' is larger than 65535")]
    [InlineData("9 192.0.2.0 12", "9 192.0.2.0 -1", "-1", SyncErrorKind.BadNumber, "signed number '-1'")]
    [InlineData("0 0 0 9 192.0.2.0", "0 0 3 9 192.0.2.0", "3", SyncErrorKind.BadAddressType, "the address type is 3")]
    [InlineData(" 24 0 0 0 9", " 300 0 0 0 9", "300", SyncErrorKind.NumberOutOfRange, "the prefix length '300' is larger than 255")]
    public void ReportsRouteErrorsAtTheOffendingToken(string valid, string broken, string token, SyncErrorKind kind, string detail)
    {
        var archive = Route.Replace(valid, broken, StringComparison.Ordinal);
        var offset = SyncArchive.FrameHeaderSize + archive.IndexOf(broken, StringComparison.Ordinal) + broken.IndexOf(token, StringComparison.Ordinal);
        AssertError(Frame(archive), kind, offset, detail);
    }

    [Theory]
    [InlineData("0 0 32 77 8 10.1.2.3 4444", "0 0 32 77 9 10.1.2.3x 4444", SyncErrorKind.BadAddress, "the remote host '10.1.2.3x'")]
    [InlineData(" 1 128 0 0 14", " 2 128 0 0 14", SyncErrorKind.BadValue, "the role is 2")]
    [InlineData("0 0 14 1 2 3", "0 0 4000000000 1 2 3", SyncErrorKind.LengthExceedsFrame, "the master salt claims 4000000000 bytes")]
    [InlineData("16 201 202", "16 201 999", SyncErrorKind.NumberOutOfRange, "a master key byte  is larger than 255")]
    [InlineData("16 201 202", "16 201 x02", SyncErrorKind.BadNumber, "expected a master key byte (a decimal number), found something else")]
    [InlineData("0 0 32 77 8 10.1.2.3 4444", "0 0 32 77 8 10.1.2.3", SyncErrorKind.BadNumber, "the remote port (a decimal number), found the end of the archive")]
    public void ReportsConnectionErrorsWithoutQuotingKeys(string valid, string broken, SyncErrorKind kind, string detail)
    {
        var error = AssertError(Frame(Connection.Replace(valid, broken, StringComparison.Ordinal)), kind, null, detail);
        Assert.DoesNotContain("201", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptsWhatAnytunAccepts()
    {
        // Any whitespace, any archive version (the 1.74 reader refuses 19; we read it), ignored class versions.
        // (The one byte after a string's length is a separator of any value, not free whitespace.)
        var spaced = "22 serialization::archive\n18\t0 \r0\v\f5 route\n\n0 0 0 0 24 0 0 0 9 192.0.2.0\t\r\n12";
        foreach (var archive in new[] { spaced, Route.Replace(" 18 ", " 19 ", StringComparison.Ordinal), Route.Replace("18 0 0 5", "18 0 7 5", StringComparison.Ordinal) })
        {
            using var message = Single(Frame(archive));
            Assert.Equal("192.0.2.0/24 -> 12", message.Command!.ToString());
        }

        using var v19 = Single(Frame(Route.Replace(" 18 ", " 19 ", StringComparison.Ordinal)));
        Assert.Equal(19, v19.ArchiveVersion);
    }

    [Fact]
    public void IgnoresUnknownCommandWordsAndEmptyFrames()
    {
        var messages = SyncStreamReader.ReadAll(Encoding.Latin1.GetBytes("00040 22 serialization::archive 18 0 0 5 hello00000 "));
        Assert.Equal(2, messages.Count);
        Assert.Equal(SyncMessageKind.Ignored, messages[0].Kind);
        Assert.Equal("unknown command 'hello'", messages[0].Note);
        Assert.Equal(SyncMessageKind.Ignored, messages[1].Kind);
        Assert.Equal(46, messages[1].Offset);
    }

    [Fact]
    public void ReadsEthernetRoutes()
    {
        using var message = Single(Frame("22 serialization::archive 18 0 0 5 route 0 0 0 0 48 0 0 2 18446744073709551615 5"));
        var route = Assert.IsType<SyncRouteCommand>(message.Command);
        Assert.Equal(SyncAddressType.Ethernet, route.AddressType);
        Assert.Equal(ulong.MaxValue, route.EthernetAddress);
        Assert.Null(route.AddressText);
        Assert.False(route.HangsReferenceImplementation);
        Assert.Equal(Frame("22 serialization::archive 18 0 0 5 route 0 0 0 0 48 0 0 2 18446744073709551615 5"), SyncWriter.EncodeFrame(route));
    }

    [Fact]
    public void ALengthThreeTooLargeGluesTheNextFrameOnAsAnytunDoes()
    {
        var input = "00075 " + Route + "00072 " + Route;
        var messages = SyncStreamReader.ReadAll(Encoding.Latin1.GetBytes(input));
        Assert.Equal(2, messages.Count);
        Assert.Equal("192.0.2.0/24 -> 12000", messages[0].Command!.ToString());
        Assert.Equal(SyncErrorKind.TruncatedFrame, messages[1].Error!.Kind);
        Assert.Equal(81, messages[1].Offset);
    }

    [Fact]
    public void HugeCountsAllocateNothingBeyondTheFrame()
    {
        var input = Frame(Connection.Replace("0 0 14 1 2 3", "0 0 4294967295 1 2 3", StringComparison.Ordinal));
        SyncStreamReader.ReadAll(input); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var message = Assert.Single(SyncStreamReader.ReadAll(input));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(SyncErrorKind.LengthExceedsFrame, message.Error!.Kind);
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated for a {input.Length}-byte frame");
    }

    internal static byte[] Frame(string archive) => Encoding.Latin1.GetBytes($"{archive.Length:00000} {archive}");

    private static SyncMessage Single(byte[] input)
    {
        var message = Assert.Single(SyncStreamReader.ReadAll(input));
        Assert.True(message.Kind == SyncMessageKind.Command, message.ToString());
        return message;
    }

    private static SyncFormatError AssertError(byte[] input, SyncErrorKind kind, long? offset, string detail)
    {
        var messages = SyncStreamReader.ReadAll(input);
        var message = messages.FirstOrDefault(m => m.Kind == SyncMessageKind.Error);
        Assert.True(message is not null, $"expected an error, got {string.Join(", ", messages)}");
        var error = message.Error!;
        Assert.Equal(kind, error.Kind);
        if (offset is { } expected)
        {
            Assert.True(expected == error.Offset, $"offset {error.Offset}, expected {expected}: {error.Message}");
        }

        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"byte offset {error.Offset}: ", error.Message, StringComparison.Ordinal);
        return error;
    }
}
