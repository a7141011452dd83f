using System.Diagnostics;
using Anytun.Engine.Interop;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// A throwaway network namespace ("h3t…") for root tests. Code runs inside it on a dedicated thread that setns()es
/// in and back out (platform-facts §8); never on pool threads. Deleted on Dispose.
/// </summary>
internal sealed class NetNamespace : IDisposable
{
    private NetNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public static NetNamespace Create()
    {
        var name = "h3t" + Guid.NewGuid().ToString("N")[..8];
        Run("ip", "netns", "add", name);
        var created = new NetNamespace(name);
        created.Exec("ip", "link", "set", "lo", "up");
        return created;
    }

    /// <summary>Runs <paramref name="action"/> on a new thread switched into this namespace.</summary>
    public T Invoke<T>(Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            var original = Libc.Open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC);
            var target = Libc.Open($"/run/netns/{Name}", Libc.O_RDONLY | Libc.O_CLOEXEC);
            try
            {
                if (original < 0 || target < 0 || Libc.SetNs(target, Libc.CLONE_NEWNET) != 0)
                {
                    throw new InvalidOperationException($"cannot enter network namespace {Name}");
                }

                try
                {
                    result = action();
                }
                finally
                {
                    _ = Libc.SetNs(original, Libc.CLONE_NEWNET);
                }
            }
            catch (Exception exception)
            {
                failure = exception;
            }
            finally
            {
                _ = Libc.Close(original);
                _ = Libc.Close(target);
            }
        })
        {
            Name = $"netns {Name}",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return result;
    }

    /// <summary>Runs a command inside the namespace; returns its stdout; throws on a non-zero exit.</summary>
    public string Exec(params string[] command) => Run(new[] { "ip", "netns", "exec", Name }.Concat(command).ToArray());

    /// <summary>Runs a command inside the namespace and returns its exit code.</summary>
    public int ExecStatus(params string[] command) => RunStatus(new[] { "ip", "netns", "exec", Name }.Concat(command).ToArray(), out _);

    public void Dispose() => RunStatus(new[] { "ip", "netns", "del", Name }, out _);

    public static string Run(params string[] command)
    {
        var status = RunStatus(command, out var output);
        if (status != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', command)}' exited with {status}: {output}");
        }

        return output;
    }

    private static int RunStatus(string[] command, out string output)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        output = stdout.Result + stderr.Result;
        return process.ExitCode;
    }
}
