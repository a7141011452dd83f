using System.Diagnostics;
using System.Text;

namespace Anytun.Engine.Tests.Support;

/// <summary>Runs a reference program with a deadline, so a hang (anytun's route bug) fails instead of blocking.</summary>
public static class ReferenceProgram
{
    public static (int ExitCode, byte[] Stdout, string Stderr) Run(string path, IEnumerable<string> args, byte[]? stdin = null, int timeoutMs = 10_000, bool allowTimeout = false)
    {
        Assert.True(File.Exists(path), $"{path} is required (Debian package {Prerequisites.PackageOf(Path.GetFileName(path))})");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                process.StandardInput.BaseStream.Write(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited (or crashed) before reading all of its input.
        }

        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(timeoutMs);
            if (allowTimeout)
            {
                return (-1, Array.Empty<byte>(), "timed out");
            }

            Assert.Fail($"{path} {string.Join(' ', start.ArgumentList)} did not exit within {timeoutMs} ms");
        }

        Assert.True(copy.Wait(timeoutMs), $"{path}: stdout did not close");
        return (process.ExitCode, stdout.ToArray(), stderr.Result);
    }

    public static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
