using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace Anytun.Engine.Tests.Fuzzing;

/// <summary>What one fuzz run saw.</summary>
public sealed record FuzzReport(
    string Target,
    long Inputs,
    long Accepted,
    long Rejected,
    long Exceptions,
    double MaxMilliseconds,
    long MaxAllocatedBytes,
    double MaxAllocatedBytesPerInputByte,
    long MaxInputBytes,
    long SlowInputs,
    string? Failure)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Target,-16} inputs={Inputs,9} accepted={Accepted,9} rejected={Rejected,9} exceptions={Exceptions} max-ms={MaxMilliseconds,7:F3} max-alloc={MaxAllocatedBytes,8} B max-alloc/byte={MaxAllocatedBytesPerInputByte,7:F1} max-input={MaxInputBytes} B over-10ms={SlowInputs}");
}

/// <summary>
/// Runs a fuzz target over generated inputs (CsCheck, one thread so per-input allocation can be measured): counts
/// accepted and rejected inputs, times each input, and fails an input that allocates more than
/// <see cref="AllocationBudget"/> for its size. Any exception (from the target or a broken invariant) is shrunk by
/// CsCheck and reported in <see cref="FuzzReport.Failure"/> with the seed to replay it.
/// </summary>
public static class FuzzHarness
{
    /// <summary>Bytes an input of <paramref name="size"/> bytes may make the parser allocate: linear in the input, never driven by a count in it.</summary>
    public static long AllocationBudget(long size) => (256 * 1024) + (4096 * size);

    /// <summary>ANYTUN_FUZZ_SHOW_SLOW=1 prints every input that took more than 50 ms (to stderr).</summary>
    private static bool ShowSlow { get; } = Environment.GetEnvironmentVariable("ANYTUN_FUZZ_SHOW_SLOW") == "1";

    public static FuzzReport Run<T>(string target, Gen<T> gen, Func<T, FuzzOutcome> run, Func<T, long> size, long iterations, string? seed = null)
    {
        long inputs = 0, accepted = 0, rejected = 0, maxAllocated = 0, maxInput = 0, maxTicks = 0, slow = 0;
        var slowTicks = Stopwatch.Frequency / 100;
        double maxPerByte = 0;
        string? failure = null;
        try
        {
            gen.Sample(
                input =>
                {
                    var bytes = size(input);
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    var start = Stopwatch.GetTimestamp();
                    var outcome = run(input);
                    var ticks = Stopwatch.GetTimestamp() - start;
                    var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    if (allocated > AllocationBudget(bytes))
                    {
                        throw new FuzzInvariantException($"{allocated} bytes allocated for a {bytes}-byte input (budget {AllocationBudget(bytes)})");
                    }

                    inputs++;
                    _ = outcome == FuzzOutcome.Accepted ? accepted++ : rejected++;
                    maxTicks = Math.Max(maxTicks, ticks);
                    slow += ticks > slowTicks ? 1 : 0;
                    if (ticks > 5 * slowTicks && ShowSlow)
                    {
                        Console.Error.WriteLine($"slow input ({ticks * 1000.0 / Stopwatch.Frequency:F1} ms): {Describe(input)}");
                    }
                    maxAllocated = Math.Max(maxAllocated, allocated);
                    maxInput = Math.Max(maxInput, bytes);
                    maxPerByte = Math.Max(maxPerByte, (double)allocated / Math.Max(1, bytes));
                },
                iter: iterations,
                threads: 1,
                seed: seed,
                print: Describe);
        }
        catch (Exception ex)
        {
            failure = ex.ToString();
        }

        return new FuzzReport(target, inputs, accepted, rejected, failure is null ? 0 : 1, maxTicks * 1000.0 / Stopwatch.Frequency, maxAllocated, maxPerByte, maxInput, slow, failure);
    }

    /// <summary>Input sizes for the budget: bytes, or the characters of all arguments.</summary>
    public static long SizeOf(byte[] input) => input.Length;

    public static long SizeOf(string[] args) => args.Sum(a => (long)a.Length + 1);

    public static long SizeOf(string text) => text.Length;

    private static string Describe<T>(T input) => input switch
    {
        byte[] bytes => $"{bytes.Length} bytes: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 600)))}",
        string[] args => "[" + string.Join(", ", args.Select(a => "\"" + a + "\"")) + "]",
        _ => input?.ToString() ?? "null",
    };
}

/// <summary>The fuzz targets by name, with their generators (the runner and the property tests use the same list).</summary>
public static class FuzzCatalog
{
    public static IReadOnlyList<(string Name, Func<long, string?, FuzzReport> Run)> Targets { get; } = new (string, Func<long, string?, FuzzReport>)[]
    {
        ("sync-reader", (n, seed) => FuzzHarness.Run("sync-reader", SyncFuzzInputs.AnyInput, FuzzTargets.SyncReader, FuzzHarness.SizeOf, n, seed)),
        ("showtables", (n, seed) => FuzzHarness.Run("showtables", SyncFuzzInputs.AnyInput, FuzzTargets.ShowTables, FuzzHarness.SizeOf, n, seed)),
        ("table-file", (n, seed) => FuzzHarness.Run("table-file", SyncFuzzInputs.TableFile, FuzzTargets.TableFile, FuzzHarness.SizeOf, n, seed)),
        ("anytun-config", (n, seed) => FuzzHarness.Run("anytun-config", ArgumentFuzzInputs.AnyArguments, FuzzTargets.AnytunConfig, FuzzHarness.SizeOf, n, seed)),
        ("anytun-controld", (n, seed) => FuzzHarness.Run("anytun-controld", ArgumentFuzzInputs.AnyArguments, FuzzTargets.Controld, FuzzHarness.SizeOf, n, seed)),
        ("anytun", (n, seed) => FuzzHarness.Run("anytun", ArgumentFuzzInputs.AnyArguments, FuzzTargets.Anytun, FuzzHarness.SizeOf, n, seed)),
        ("command-line", (n, seed) => FuzzHarness.Run("command-line", ArgumentFuzzInputs.CommandLineText, FuzzTargets.CommandLineText, FuzzHarness.SizeOf, n, seed)),
    };
}
