using Anytun.Engine.Interop;
using Microsoft.Win32.SafeHandles;

namespace Anytun.Engine.Device;

/// <summary>Owns a raw Linux file descriptor; the reference count keeps it open while a read/write/poll uses it.</summary>
internal sealed class FileDescriptorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public FileDescriptorHandle(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
