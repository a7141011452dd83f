using CsCheck;

namespace Anytun.Engine.Tests.Fuzzing;

/// <summary>
/// A bounded smoke run of every fuzz target (the full run of 10^6 inputs each is bench/Anytun.Fuzz): no exception
/// escapes, no input takes long, allocation stays within the budget for its size.
/// </summary>
public sealed class FuzzPropertyTests
{
    private const long Iterations = 4_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public static TheoryData<string> Targets => new(FuzzCatalog.Targets.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task SmokeRun(string target)
    {
        var run = FuzzCatalog.Targets.Single(t => t.Name == target).Run;
        var work = Task.Run(() => run(Iterations, null));
        var finished = await Task.WhenAny(work, Task.Delay(Deadline));
        Assert.True(finished == work, $"fuzz target {target} did not finish {Iterations} inputs within {Deadline.TotalSeconds} s (a hang?)");
        var report = await work;
        Assert.True(report.Failure is null, report.Failure);
        Assert.Equal(Iterations, report.Inputs);
        Assert.Equal(0, report.Exceptions);
        Assert.True(report.MaxMilliseconds < 2_000, $"an input took {report.MaxMilliseconds} ms: {report}");
    }

    [Fact]
    public void WriteOfReadIsTheIdentityOnValidStreams()
    {
        SyncFuzzInputs.ValidStream.Sample(
            stream =>
            {
                var messages = Anytun.Engine.Sync.SyncStreamReader.ReadAll(stream);
                try
                {
                    Assert.All(messages, m => Assert.Equal(Anytun.Engine.Sync.SyncMessageKind.Command, m.Kind));
                    Assert.Equal(stream, Anytun.Engine.Sync.SyncWriter.EncodeStream(messages.Select(m => m.Command!)));
                }
                finally
                {
                    foreach (var message in messages)
                    {
                        message.Dispose();
                    }
                }
            },
            iter: 2_000,
            threads: 1);
    }
}
