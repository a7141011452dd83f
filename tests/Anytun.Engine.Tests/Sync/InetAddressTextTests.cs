using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Anytun.Engine.Sync;

namespace Anytun.Engine.Tests.Sync;

/// <summary>Our inet_pton / inet_ntop agree with glibc's, which is what boost::asio (and so anytun) uses.</summary>
public sealed partial class InetAddressTextTests
{
    private const int AfInet = 2;
    private const int AfInet6 = 10;

    public static TheoryData<string> Crafted => new()
    {
        "0.0.0.0", "1.2.3.4", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4 ",
        " 1.2.3.4", "1.2.3.04", "0x1.2.3.4", "1.2.3.4x", "", "::", "::1", "1::", "1:::", ":::", ":1", "1:", "fe80::1", "FE80::1",
        "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1::2:3:4:5:6:7:8", "::ffff:1.2.3.4",
        "::1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::1.2.3.4.5", "12345::", "1:2::3::4", "::0.0.0.0",
        "0:0:0:0:0:0:0:0", "00000::", "0000::", "g::", "1.2.3.4::", "::ffff:256.1.1.1", "2001:db8::5", "2001:DB8:0:0:1::1",
    };

    [Theory]
    [MemberData(nameof(Crafted))]
    public void ParsesLikeGlibc(string text) => AssertSameAsLibc(text);

    [Fact]
    public void ParsesRandomTextLikeGlibc()
    {
        var random = new Random(20261124);
        const string alphabet = "0123456789abcdefABCDEF:.:.:0g ";
        var text = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            text.Clear();
            var length = random.Next(0, 42);
            for (var j = 0; j < length; j++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            AssertSameAsLibc(text.ToString());
        }
    }

    [Fact]
    public void FormatsLikeGlibc()
    {
        var random = new Random(7);
        var bytes = new byte[16];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(bytes);
            for (var j = 0; j < 8; j++)
            {
                if (random.Next(3) > 0)
                {
                    bytes[2 * j] = 0;
                    bytes[(2 * j) + 1] = 0; // zero groups, so every run shape occurs
                }
            }

            if (i % 10 == 0)
            {
                Array.Clear(bytes, 0, 10);
                bytes[10] = bytes[11] = (byte)(i % 20 == 0 ? 0xff : 0);
            }

            Assert.Equal(LibcFormat(AfInet6, bytes), InetAddressText.Format(new IPAddress(bytes)));
            Assert.Equal(LibcFormat(AfInet, bytes[..4]), InetAddressText.Format(new IPAddress(bytes[..4])));
        }
    }

    [Theory]
    [InlineData("fe80::1%5", "fe80::1%5")]
    [InlineData("2001:db8::1%eth0", "2001:db8::1")]
    [InlineData("2001:db8::1%", "2001:db8::1")]
    public void KeepsANumericZoneAsScopeId(string text, string printed)
    {
        Assert.True(InetAddressText.TryParse(text, out var address));
        Assert.Equal(printed, InetAddressText.Format(address));
    }

    private static void AssertSameAsLibc(string text)
    {
        var libc4 = LibcParse(AfInet, text, 4);
        var libc6 = text.Contains('%', StringComparison.Ordinal) ? null : LibcParse(AfInet6, text, 16);
        var bytes = Encoding.Latin1.GetBytes(text);
        Assert.Equal(libc4 is not null, InetAddressText.TryParseIPv4(bytes, out var v4));
        if (libc4 is not null)
        {
            Assert.Equal(libc4, v4.GetAddressBytes());
        }

        if (!text.Contains('%', StringComparison.Ordinal))
        {
            Assert.True((libc6 is not null) == InetAddressText.TryParseIPv6(bytes, out var v6), $"'{text}': libc {(libc6 is null ? "rejects" : "accepts")}");
            if (libc6 is not null)
            {
                Assert.Equal(libc6, v6.GetAddressBytes());
            }
        }
    }

    private static unsafe byte[]? LibcParse(int family, string text, int size)
    {
        var destination = new byte[size];
        fixed (byte* d = destination)
        {
            return NativeMethods.inet_pton(family, text, d) == 1 ? destination : null;
        }
    }

    private static unsafe string LibcFormat(int family, byte[] address)
    {
        var buffer = new byte[64];
        fixed (byte* a = address)
        fixed (byte* b = buffer)
        {
            Assert.NotEqual(IntPtr.Zero, NativeMethods.inet_ntop(family, a, b, buffer.Length));
        }

        return Encoding.ASCII.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0));
    }

    private static unsafe partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "inet_pton", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int inet_pton(int family, string text, byte* destination);

        [LibraryImport("libc", EntryPoint = "inet_ntop")]
        internal static partial IntPtr inet_ntop(int family, byte* source, byte* destination, int size);
    }
}
