using System.Globalization;

namespace Anytun.Engine.Sync;

/// <summary>
/// The outcome of one frame of a sync stream: a command, an ignored frame, or an error, with its position. A
/// message holding a <see cref="SyncConnectionCommand"/> owns its key material: dispose the message (or the command).
/// </summary>
public sealed class SyncMessage : IDisposable
{
    private SyncMessage(SyncMessageKind kind, long offset, int length, int? archiveVersion, SyncCommand? command, string? note, SyncFormatError? error)
    {
        Kind = kind;
        Offset = offset;
        Length = length;
        ArchiveVersion = archiveVersion;
        Command = command;
        Note = note;
        Error = error;
    }

    public SyncMessageKind Kind { get; }

    /// <summary>Byte offset of the frame's length prefix in the stream (or file).</summary>
    public long Offset { get; }

    /// <summary>Bytes the frame took in the stream (prefix, separator and archive).</summary>
    public int Length { get; }

    /// <summary>The Boost archive version the frame declared, when the header was readable.</summary>
    public int? ArchiveVersion { get; }

    /// <summary>The command, for <see cref="SyncMessageKind.Command"/>.</summary>
    public SyncCommand? Command { get; }

    /// <summary>Why the frame was ignored (e.g. "unknown command 'hello'"), for <see cref="SyncMessageKind.Ignored"/>.</summary>
    public string? Note { get; }

    public SyncFormatError? Error { get; }

    /// <summary>1-based line of the frame in a table file; null for streams.</summary>
    public int? Line { get; private init; }

    public void Dispose() => (Command as IDisposable)?.Dispose();

    public override string ToString() => Kind switch
    {
        SyncMessageKind.Command => string.Create(CultureInfo.InvariantCulture, $"@{Offset}: {Command}"),
        SyncMessageKind.Ignored => string.Create(CultureInfo.InvariantCulture, $"@{Offset}: ignored, {Note}"),
        _ => Error!.Message,
    };

    internal static SyncMessage ForCommand(long offset, int length, int version, SyncCommand command) =>
        new(SyncMessageKind.Command, offset, length, version, command, null, null);

    internal static SyncMessage ForIgnored(long offset, int length, int? version, string note) =>
        new(SyncMessageKind.Ignored, offset, length, version, null, note, null);

    internal static SyncMessage ForError(long offset, int length, int? version, SyncFormatError error) =>
        new(SyncMessageKind.Error, offset, length, version, null, null, error);

    /// <summary>The same message positioned in a table file (the stream offsets mapped back to the file).</summary>
    internal SyncMessage InFile(long fileOffset, int line, SyncFormatError? error) =>
        new(Kind, fileOffset, Length, ArchiveVersion, Command, Note, error) { Line = line };
}
