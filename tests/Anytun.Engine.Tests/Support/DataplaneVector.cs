namespace Anytun.Engine.Tests.Support;

/// <summary>A vector directory: the two daemon command lines, the summary line and the datagrams.</summary>
public sealed record DataplaneVector(
    string Name,
    string Directory,
    string CommandA,
    string CommandB,
    string KdPrf,
    string Cipher,
    string Auth,
    int TagLength,
    byte[]? MasterKey,
    byte[]? MasterSalt,
    IReadOnlyList<VectorDatagram> Datagrams)
{
    public string CommandOf(char side) => side == 'A' ? CommandA : CommandB;
}
