namespace Anytun.Engine.Protocol;

/// <summary>The three key-derivation labels one direction of a tunnel uses (spec §2.1).</summary>
internal readonly record struct SatpLabelSet(uint Encryption, uint Salt, uint Authentication);
