using System.Runtime.CompilerServices;

namespace Anytun.Engine.Runtime;

/// <summary>
/// Marks the methods every packet runs through. <see cref="Hot"/> has the JIT compile them fully optimised on first
/// use instead of tiering them up while the tunnel carries traffic: tiering re-compiles each of them twice (instrumented,
/// then optimised) during the first seconds, and each re-compilation showed as a 1-10 ms ping spike (the cause proven
/// with DOTNET_TieredCompilation=0, which a module cannot set for the pwsh process hosting it). Small helpers stay
/// unmarked where the JIT inlines them into these methods; those it compiled separately (seen with
/// DOTNET_JitDisasmSummary=1 as tier-0 compilations after the engine threads start: the payload type check, the
/// descriptor reference around each system call, the libc wrappers for read, write and poll) are marked or inlined.
/// </summary>
internal static class PacketPath
{
    public const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;
}
