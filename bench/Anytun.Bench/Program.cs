using BenchmarkDotNet.Running;

namespace Anytun.Bench;

/// <summary>Entry point: <c>dotnet run -c Release --project bench/Anytun.Bench -- --filter '*' [--job short]</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
