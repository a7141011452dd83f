using System.Runtime.InteropServices;
using System.Security;
using Anytun.Engine.Crypto;

namespace Anytun;

/// <summary>Turns secret parameters (-Passphrase as a SecureString) into the engine's pinned secret bytes.</summary>
internal static class SecretParameters
{
    /// <summary>
    /// A passphrase is exactly the characters given, as anytun -E takes them; a line break read from a file with
    /// Get-Content -Raw is part of it and gives another key than the peer's.
    /// </summary>
    internal const string PassphraseLineBreakWarning =
        "-Passphrase ends with a line break, which is part of the passphrase and changes the key (anytun -E \"$(cat file)\" drops it). "
        + "Read a passphrase file with Get-Content -TotalCount 1, or trim the line break.";

    /// <summary>Copies the SecureString straight into pinned secret bytes; the unmanaged copy is zeroed at once.</summary>
    internal static unsafe SecretBytes FromSecureString(SecureString secure, out bool endsWithLineBreak)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            var characters = new ReadOnlySpan<char>((void*)pointer, secure.Length);
            endsWithLineBreak = characters.Length > 0 && characters[^1] is '\n' or '\r';
            return SecretBytes.FromUtf16Chars(characters);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
