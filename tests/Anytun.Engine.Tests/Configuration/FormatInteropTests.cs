using System.Diagnostics;
using Anytun.Engine.Configuration;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Configuration;

/// <summary>
/// Real anytun 0.3.8 parses what <see cref="AnytunCommandLine.FormatArguments"/> writes: anytun handles options left
/// to right and stops at -h with the usage text, so "args… -h" shows usage only if every earlier option parsed
/// (otherwise "syntax error"). Nothing is opened or started. Without anytun (Debian package anytun) these skip, or
/// fail under CI=true.
/// </summary>
[Trait("Category", "Interop")]
public sealed class FormatInteropTests
{
    public static TheoryData<string> CommandFiles => DataplaneVectorFiles.CommandFiles();

    [RequiresProgramTheory("anytun")]
    [MemberData(nameof(CommandFiles))]
    public void AnytunAcceptsFormattedVectorCommandLines(string file)
    {
        var commandLine = DataplaneVectorFiles.ReadCommandLine(file);
        if (commandLine.Contains("abz11z", StringComparison.Ordinal))
        {
            return;
        }

        using var options = AnytunCommandLine.ParseCommandLine(commandLine);
        AssertAnytunParses(AnytunCommandLine.FormatArguments(options, redactSecrets: false));
    }

    [RequiresProgramFact("anytun")]
    public void AnytunAcceptsEveryFormattedOption()
    {
        using var options = AnytunCommandLine.ParseCommandLine(
            "anytun -D -u nobody -g nogroup -C /var/empty -P /run/a.pid -L stdout:5 -L 'file:3,/tmp/my log.txt' -U "
            + "-i fd20::1 -p 5000 -s 4660 -r peer.example -o 5001 -6 -I 10.0.0.1 -S 2323 -M a.example:2323,b.example "
            + "-X ctl.example:4445 -d tap-x -t tap -n 192.168.9.1/30 -x '/etc/anytun/up script.sh' -R 10.0.0.0/8,fd00::/8 "
            + "-m 7 -w 64 -k aes-ctr-256 -e bob -E 'pass phrase' -K 00010203 -A 0123 -c aes-ctr-192 -a null -b 4");
        AssertAnytunParses(AnytunCommandLine.FormatArguments(options, redactSecrets: false));
    }

    private static void AssertAnytunParses(IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(Prerequisites.Require("anytun"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        for (var i = 1; i < args.Count; i++)
        {
            start.ArgumentList.Add(args[i]);
        }

        start.ArgumentList.Add("-h");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(10_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("timed out after 10 s waiting for 'anytun ... -h' to exit");
        }

        var output = TestDeadline.Wait(stdout, TimeSpan.FromSeconds(5), "anytun's output")
            + TestDeadline.Wait(stderr, TimeSpan.FromSeconds(5), "anytun's error output");
        Assert.DoesNotContain("syntax error", output, StringComparison.Ordinal);
        Assert.StartsWith("USAGE:", output, StringComparison.Ordinal);
    }
}
