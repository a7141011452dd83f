using System.Runtime.InteropServices;
using Anytun.Engine.Device;
using Anytun.Engine.Interop;
using Anytun.Engine.Logging;
using Microsoft.Extensions.Logging;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Runs the -x post-up script the way anytun does (spec §8.2): execve without a shell or PATH search,
/// argv = [script, device, "/dev/net/tun"], an empty environment, stdin/stdout/stderr on /dev/null.
/// Not awaited: a background thread waits for it and logs the exit status.
/// </summary>
internal static unsafe class PostUpScript
{
    /// <summary>glibc's posix_spawn_file_actions_t is 80 bytes on 64-bit; leave generous room.</summary>
    private const int FileActionsSize = 256;
    private const int O_WRONLY = 0x1;

    public static void Start(string script, string deviceName, ILogger logger)
    {
        EngineLog.PostUpScriptStarted(logger, script, deviceName, LinuxTunDevice.DeviceNode);
        var arguments = new[] { script, deviceName, LinuxTunDevice.DeviceNode };
        var argv = stackalloc byte*[arguments.Length + 1];
        var envp = stackalloc byte*[1];
        envp[0] = null;
        var actions = NativeMemory.AllocZeroed(FileActionsSize);
        int pid = 0;
        int result;
        try
        {
            for (var i = 0; i < arguments.Length; i++)
            {
                argv[i] = (byte*)Marshal.StringToCoTaskMemUTF8(arguments[i]);
            }

            argv[arguments.Length] = null;
            _ = Libc.PosixSpawnFileActionsInit(actions);
            _ = Libc.PosixSpawnFileActionsAddOpen(actions, 0, "/dev/null", Libc.O_RDONLY, 0);
            _ = Libc.PosixSpawnFileActionsAddOpen(actions, 1, "/dev/null", O_WRONLY, 0);
            _ = Libc.PosixSpawnFileActionsAddOpen(actions, 2, "/dev/null", O_WRONLY, 0);
            result = Libc.PosixSpawn(&pid, argv[0], actions, null, argv, envp);
        }
        finally
        {
            _ = Libc.PosixSpawnFileActionsDestroy(actions);
            NativeMemory.Free(actions);
            for (var i = 0; i < arguments.Length; i++)
            {
                Marshal.FreeCoTaskMem((nint)argv[i]);
            }
        }

        if (result != 0)
        {
            // posix_spawn returns the errno of the failed exec (e.g. ENOENT, EACCES).
            EngineLog.PostUpScriptFailed(logger, script, Libc.ErrorText(result));
            return;
        }

        var child = pid;
        var waiter = new Thread(() => WaitForExit(child, script, logger))
        {
            IsBackground = true,
            Name = "anytun post-up wait",
        };
        waiter.Start();
    }

    private static void WaitForExit(int pid, string script, ILogger logger)
    {
        int status;
        int waited;
        do
        {
            waited = Libc.WaitPid(pid, &status, 0);
        }
        while (waited < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);

        if (waited < 0)
        {
            EngineLog.PostUpScriptFailed(logger, script, $"waitpid: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
            return;
        }

        var signal = status & 0x7f;
        EngineLog.PostUpScriptReturned(logger, script, signal == 0 ? (status >> 8) & 0xff : 128 + signal);
    }
}
