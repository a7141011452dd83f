using Anytun.Engine.Crypto;

namespace Anytun.Engine.Tests.Support;

/// <summary>
/// Tests that flip the process-wide <see cref="AesCtrCipher.ForcePortable"/> switch run in this collection, which
/// xunit runs alone after the parallel ones, so no other test sees the switch change under it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AesImplementationCollection
{
    public const string Name = "AES implementation switch";
}
