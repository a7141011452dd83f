using System.Text.Json;
using Anytun.Engine.Tests.Runtime;

namespace Anytun.Engine.Tests.Support;

/// <summary>
/// The programs a test runs, checked on PATH before it starts. The program -> Debian package list is
/// build/prerequisites.json, the same list build.ps1 installs from, copied next to the test assembly.
/// </summary>
internal static class Prerequisites
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> PackageByProgram = new(LoadPackages);

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? Find(string program)
    {
        if (program.Contains('/'))
        {
            return IsExecutable(program) ? program : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The Debian package that ships <paramref name="program"/> (from build/prerequisites.json).</summary>
    public static string PackageOf(string program) =>
        PackageByProgram.Value.TryGetValue(program, out var package) ? package : $"the package that provides {program}";

    /// <summary>Why a test needing root and/or <paramref name="programs"/> cannot run here; null when it can.</summary>
    public static string? MissingReason(bool needsRoot, IEnumerable<string> programs)
    {
        var reasons = new List<string>();
        if (needsRoot && !RootEnvironment.IsRoot)
        {
            reasons.Add("needs root (tun devices + network namespaces)");
        }

        if (needsRoot && !File.Exists("/dev/net/tun"))
        {
            reasons.Add("needs /dev/net/tun");
        }

        var missing = programs.Where(program => Find(program) is null).ToArray();
        if (missing.Length > 0)
        {
            var packages = string.Join(' ', missing.Select(PackageOf).Distinct());
            reasons.Add($"needs {string.Join(", ", missing.Select(p => $"{p} (Debian package {PackageOf(p)})"))}: "
                + $"'dotnet pwsh ./build.ps1 -Task Test' run as root installs it, or 'sudo apt-get install {packages}'");
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    /// <summary>The full path of <paramref name="program"/>; fails the test naming its package when it is missing.</summary>
    public static string Require(string program)
    {
        var path = Find(program);
        if (path is null)
        {
            Assert.Fail($"{program} is not installed: {MissingReason(false, [program])}");
        }

        return path;
    }

    private static bool IsExecutable(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                return File.Exists(path);
            }

            return File.Exists(path)
                && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static IReadOnlyDictionary<string, string> LoadPackages()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "prerequisites.json");
        var packages = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(file))
        {
            return packages;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(file));
        foreach (var entry in document.RootElement.GetProperty("programs").EnumerateArray())
        {
            packages[entry.GetProperty("name").GetString()!] = entry.GetProperty("package").GetString()!;
        }

        return packages;
    }
}
