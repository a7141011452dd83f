using Anytun.Engine.Runtime;

namespace Anytun.Engine.Tests.Runtime.Offloads;

public sealed class OffloadSettingsTests
{
    [Theory]
    [InlineData(null, "tun=on gso=on gro=on batch=on coalesce=on")]
    [InlineData("", "tun=on gso=on gro=on batch=on coalesce=on")]
    [InlineData("1", "tun=on gso=on gro=on batch=on coalesce=on")]
    [InlineData("all", "tun=on gso=on gro=on batch=on coalesce=on")]
    [InlineData("0", "tun=off gso=off gro=off batch=off coalesce=off")]
    [InlineData(" NONE ", "tun=off gso=off gro=off batch=off coalesce=off")]
    [InlineData("off", "tun=off gso=off gro=off batch=off coalesce=off")]
    [InlineData("gro", "tun=off gso=off gro=on batch=off coalesce=off")]
    [InlineData("batch", "tun=off gso=off gro=off batch=on coalesce=off")]
    [InlineData("gso", "tun=off gso=on gro=off batch=on coalesce=off")]
    [InlineData("tun, gro ,coalesce,unknown", "tun=on gso=off gro=on batch=off coalesce=on")]
    public void EnvironmentValueSelectsTheOffloads(string? value, string expected)
    {
        Assert.Equal(expected, OffloadSettings.Parse(value).ToString());
    }
}
