using Anytun.Engine.Configuration;

namespace Anytun.Engine.Tests.Configuration;

public sealed class EnsureSupportedTests
{
    [Theory]
    [InlineData("-I 10.0.0.1", OptionNames.SyncInterface)]
    [InlineData("-S 2323", OptionNames.SyncPort)]
    [InlineData("-M a.example:2323,b.example", OptionNames.SyncHosts)]
    [InlineData("-u nobody", OptionNames.Username)]
    [InlineData("-g nogroup", OptionNames.Groupname)]
    [InlineData("-C /var/run/anytun", OptionNames.Chroot)]
    [InlineData("-P /run/anytun.pid", OptionNames.PidFile)]
    public void LaterWorkIsParsedThenRefusedByName(string option, string target)
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " " + option);
        options.Validate();
        var ex = Assert.Throws<AnytunException>(() => options.EnsureSupported());
        OptionAssert.Check(ex, AnytunErrorCode.NotSupportedYet, target, "not supported yet");
    }

    [Theory]
    [InlineData("-R 10.0.0.0/8")]
    [InlineData("-R 10.0.0.128/25,fd00::/8 -R 128.0.0.0/1")]
    public void RoutesAreSupported(string option)
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " " + option);
        options.Validate();
        options.EnsureSupported();
    }

    [Theory]
    [InlineData("-D")]
    [InlineData("-U")]
    [InlineData("-L stdout:5")]
    [InlineData("-L stderr:2 -L stdout:3")]
    [InlineData("--nodaemonize --debug --log stdout:4")]
    [InlineData("-L syslog:3,anytun,daemon")]
    [InlineData("-L file:3,/tmp/anytun.log -L file:5,/tmp/anytun-debug.log")]
    public void ForegroundAndLogTargetsAreAccepted(string option)
    {
        using var options = AnytunCommandLine.ParseCommandLine(OptionAssert.Base + " " + option);
        options.Validate();
        options.EnsureSupported();
    }

    [Fact]
    public void DebugIsStoredSeparately()
    {
        using var options = AnytunCommandLine.ParseCommandLine("anytun -U -c null -a null");
        Assert.True(options.Debug);
        Assert.False(options.NoDaemonize);
    }
}
