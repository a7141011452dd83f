using System.Globalization;

namespace Anytun.Engine.Sync;

/// <summary>
/// A malformed sync frame, as a value: where (byte offset in the stream; line and column for table files), what was
/// expected, and what anytun-showtables would print for it. Never contains key material: number fields are named,
/// and the bytes quoted from the input are at most a few characters of the offending token.
/// </summary>
public sealed class SyncFormatError
{
    internal SyncFormatError(SyncErrorKind kind, long offset, string detail, int? line = null, int? column = null)
    {
        Kind = kind;
        Offset = offset;
        Detail = detail;
        Line = line;
        Column = column;
    }

    public SyncErrorKind Kind { get; }

    /// <summary>Byte offset of the problem from the start of the stream (or file).</summary>
    public long Offset { get; }

    /// <summary>1-based line in a table file; null for streams.</summary>
    public int? Line { get; }

    /// <summary>1-based byte column in that line; null for streams.</summary>
    public int? Column { get; }

    /// <summary>What was expected and what was found, without the position.</summary>
    public string Detail { get; }

    /// <summary>The detail with its position.</summary>
    public string Message => Line is { } line
        ? string.Create(CultureInfo.InvariantCulture, $"line {line}, column {Column} (byte offset {Offset}): {Detail}")
        : string.Create(CultureInfo.InvariantCulture, $"byte offset {Offset}: {Detail}");

    /// <summary>The text anytun-showtables prints after "uncaught exception, exiting: " for this kind of error.</summary>
    public string ReferenceText => Kind switch
    {
        SyncErrorKind.BadSignature => "invalid signature",
        SyncErrorKind.UnsupportedVersion => "unsupported version",
        SyncErrorKind.BadAddress => "Invalid argument",
        SyncErrorKind.BadAddressType => "illegal protocol type",
        _ => "input stream error",
    };

    public override string ToString() => Message;

    internal SyncFormatError At(long offset, int line, int column) => new(Kind, offset, Detail, line, column);

    internal SyncFormatError WithHint(string hint) => new(Kind, Offset, $"{Detail} {hint}", Line, Column);
}
