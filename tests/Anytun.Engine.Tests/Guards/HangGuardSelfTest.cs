namespace Anytun.Engine.Tests.Guards;

/// <summary>
/// A test that hangs on purpose, to prove the suite-wide hang guard (dotnet test --blame-hang-timeout in
/// build/TestRunner.psm1) kills it and reports its name. Normal runs filter the category out; the guard's own test
/// (tests/Pester/TestGuards.Tests.ps1) selects it and sets ANYTUN_HANG_SELFTEST=1.
/// </summary>
[Trait("Category", Category)]
public sealed class HangGuardSelfTest
{
    public const string Category = "HangGuardSelfTest";

    [Fact]
    public void BlocksUntilTheHangGuardKillsIt()
    {
        Assert.True(
            Environment.GetEnvironmentVariable("ANYTUN_HANG_SELFTEST") == "1",
            "this test hangs on purpose; only the hang guard's self-test runs it (with ANYTUN_HANG_SELFTEST=1)");
        Thread.Sleep(Timeout.Infinite);
    }
}
