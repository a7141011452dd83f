using Anytun.Engine.Control;

namespace Anytun.Engine.Routing;

/// <summary>One route: packets read from the device whose destination is inside <see cref="Prefix"/> go to connection
/// <see cref="Mux"/> (longest prefix wins). Immutable.</summary>
public sealed record RouteEntry(IPPrefix Prefix, ushort Mux, EntryOrigin Origin)
{
    public override string ToString() => $"{Prefix} -> {Mux}";
}
