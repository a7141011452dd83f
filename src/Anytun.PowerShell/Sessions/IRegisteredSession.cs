namespace Anytun;

/// <summary>Something the module started and keeps in a <see cref="SessionRegistry{TSession}"/>: a tunnel, a control server.</summary>
internal interface IRegisteredSession
{
    string Name { get; }

    /// <summary>Stops it the way its owner expects (its job, or the waiting cmdlet).</summary>
    Task RequestStopAsync();
}
