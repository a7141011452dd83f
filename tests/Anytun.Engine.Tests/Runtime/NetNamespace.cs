using System.Diagnostics;
using Anytun.Engine.Interop;
using Anytun.Engine.Tests.Support;

namespace Anytun.Engine.Tests.Runtime;

/// <summary>
/// A throwaway network namespace ("h3t…") for root tests. Code runs inside it on a dedicated thread that setns()es
/// in and back out (platform-facts §8); never on pool threads. Deleted on Dispose. Every wait is bounded, and a
/// command whose program is not installed fails naming its Debian package (not with exit code 1 from ip netns exec).
/// </summary>
internal sealed class NetNamespace : IDisposable
{
    private NetNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    /// <summary>How long one command, or one <see cref="Invoke{T}"/>, may take.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

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
        TestDeadline.Join(thread, CommandTimeout, $"code running in network namespace {Name}");
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return result;
    }

    /// <summary>Runs a command inside the namespace; returns its stdout; throws on a non-zero exit.</summary>
    public string Exec(params string[] command)
    {
        Prerequisites.Require(command[0]);
        return Run(new[] { "ip", "netns", "exec", Name }.Concat(command).ToArray());
    }

    /// <summary>Runs a command inside the namespace and returns its exit code.</summary>
    public int ExecStatus(params string[] command)
    {
        Prerequisites.Require(command[0]);
        return RunStatus(new[] { "ip", "netns", "exec", Name }.Concat(command).ToArray(), out _);
    }

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
        var start = new ProcessStartInfo(Prerequisites.Require(command[0]))
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
        var what = $"'{string.Join(' ', command)}' to exit";
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"timed out after {CommandTimeout.TotalSeconds:0} s waiting for {what} (killed)");
        }

        // the output pipes close when the command exits, unless it left a child holding them
        output = TestDeadline.Wait(stdout, TimeSpan.FromSeconds(5), $"the output of {what}")
            + TestDeadline.Wait(stderr, TimeSpan.FromSeconds(5), $"the error output of {what}");
        return process.ExitCode;
    }
}
