using System.Net;

namespace Anytun.Engine.Configuration;

/// <summary>
/// Resolves a remote host name to the address anytun-config would write (the first result of the allowed family).
/// Injectable so tests do not depend on DNS. Throw <see cref="AnytunException"/> (ResolveFailed) when nothing is found.
/// </summary>
public delegate Task<IPAddress> RemoteHostResolver(string host, AddressFamilyPreference family, CancellationToken cancellationToken);
