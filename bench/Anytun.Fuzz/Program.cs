using System.Diagnostics;
using System.Globalization;
using Anytun.Engine.Tests.Fuzzing;

// Long fuzz run of the sync reader, the table-file reader, the showtables renderer and the command-line parsers:
//   dotnet run -c Release --project bench/Anytun.Fuzz -- --iterations 1000000 [--target sync-reader] [--seed S]
// Prints one line per target and exits with 1 when any target failed (the failure is shrunk and printed with its seed).
var iterations = 1_000_000L;
string? only = null;
string? seed = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--iterations":
            iterations = long.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--target":
            only = args[++i];
            break;
        case "--seed":
            seed = args[++i];
            break;
        case "--showtables":
            // Debugging aid: print what our anytun-showtables renderer prints for a file.
            Console.Out.Write(Anytun.Engine.Sync.ShowTablesRenderer.RenderText(File.ReadAllBytes(args[++i])));
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; use --iterations N, --target NAME ({string.Join(", ", FuzzCatalog.Targets.Select(t => t.Name))}), --seed S");
            return 2;
    }
}

var failed = false;
var total = Stopwatch.StartNew();
foreach (var (name, run) in FuzzCatalog.Targets.Where(t => only is null || t.Name == only))
{
    var watch = Stopwatch.StartNew();
    var report = run(iterations, seed);
    var process = Process.GetCurrentProcess();
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{report} time={watch.Elapsed.TotalSeconds:F1}s peak-working-set={process.PeakWorkingSet64 / (1024 * 1024)} MiB gc-heap={GC.GetTotalMemory(false) / (1024 * 1024)} MiB"));
    if (report.Failure is not null)
    {
        failed = true;
        Console.WriteLine(report.Failure);
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {total.Elapsed.TotalSeconds:F1}s, {(failed ? "FAILED" : "no exceptions, no hangs, allocation within budget")}"));
return failed ? 1 : 0;
