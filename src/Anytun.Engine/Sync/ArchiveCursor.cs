using System.Globalization;
using System.Text;

namespace Anytun.Engine.Sync;

/// <summary>
/// Reads Boost text-archive tokens out of one archive buffer with C++ stream-extraction semantics: any whitespace
/// before a number, a number ends at the first non-digit, a string is "length, one separator byte, raw bytes". The
/// first failure is kept in <see cref="Error"/> (with its absolute stream offset); nothing throws.
/// </summary>
internal ref struct ArchiveCursor
{
    private const int ExcerptLength = 12;

    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private readonly bool _emulateReference;
    private int _position;
    private int _seenClasses;
    private int _trackedClasses;
    private uint _trackedObjects;

    public ArchiveCursor(ReadOnlySpan<byte> data, long baseOffset, bool emulateReference)
    {
        _data = data;
        _baseOffset = baseOffset;
        _emulateReference = emulateReference;
        _position = 0;
        _seenClasses = 0;
        _trackedClasses = 0;
        _trackedObjects = 0;
        Error = null;
        LastStringOverran = false;
        LastStringLength = 0;
    }

    /// <summary>Whether the last <see cref="String"/> ran past the end (reference emulation only).</summary>
    public bool LastStringOverran { get; private set; }

    /// <summary>The length the last <see cref="String"/> declared.</summary>
    public ulong LastStringLength { get; private set; }

    public SyncFormatError? Error { get; private set; }

    public readonly int Remaining => _data.Length - _position;

    /// <summary>Offset of the next unread byte within the archive.</summary>
    public readonly int Position => _position;

    /// <summary>
    /// A decimal number no larger than <paramref name="max"/>. On failure <paramref name="value"/> is what libstdc++
    /// leaves in the variable: 0 when there was no number, <paramref name="max"/> when it overflowed. With
    /// <paramref name="quote"/> false (key material) the error does not quote the input.
    /// </summary>
    public bool Number(ulong max, string what, out ulong value, bool quote = true)
    {
        SkipWhitespace();
        var start = _position;
        value = 0;
        if (_position == _data.Length)
        {
            return Fail(SyncErrorKind.BadNumber, start, $"expected {what} (a decimal number), found the end of the archive");
        }

        var first = _data[_position];
        if (first is (byte)'+' or (byte)'-')
        {
            // libstdc++ would accept a sign and wrap "-1" to the type's maximum; anytun never writes one.
            return Fail(SyncErrorKind.BadNumber, start, $"expected {what} (a decimal number), found a signed number {(quote ? Excerpt(start) : string.Empty)}");
        }

        if (!IsDigit(first))
        {
            return Fail(SyncErrorKind.BadNumber, start, $"expected {what} (a decimal number), found {(quote ? Excerpt(start) : "something else")}");
        }

        var overflow = false;
        while (_position < _data.Length && IsDigit(_data[_position]))
        {
            var digit = (ulong)(_data[_position] - '0');
            if (!overflow && value > (max - digit) / 10)
            {
                overflow = true;
            }

            if (!overflow)
            {
                value = (value * 10) + digit;
            }

            _position++;
        }

        if (overflow)
        {
            value = max;
            return Fail(SyncErrorKind.NumberOutOfRange, start, string.Create(CultureInfo.InvariantCulture, $"{what} {(quote ? Excerpt(start) : string.Empty)} is larger than {max}"));
        }

        return true;
    }

    /// <summary>
    /// A Boost string: its length, one separator byte (any value, as istream::get), then exactly that many bytes.
    /// A length beyond the frame is an error, except when emulating the reference (or for <paramref name="lenient"/>
    /// callers): then the string is whatever is left, as the C++ read would leave it.
    /// </summary>
    public bool String(string what, bool lenient, out ReadOnlySpan<byte> value)
    {
        value = default;
        LastStringOverran = false;
        var lengthStart = PeekTokenStart();
        if (!Number(ulong.MaxValue, $"the length of {what}", out var length))
        {
            return false;
        }

        LastStringLength = length;
        if (_position < _data.Length)
        {
            _position++;
        }

        var available = (ulong)Remaining;
        if (length > available)
        {
            if (!(lenient || _emulateReference))
            {
                return Fail(SyncErrorKind.LengthExceedsFrame, lengthStart, string.Create(CultureInfo.InvariantCulture, $"{what} claims {length} bytes but only {available} are left in the frame"));
            }

            value = _data[_position..];
            _position = _data.Length;
            LastStringOverran = true;
            return true;
        }

        value = _data.Slice(_position, (int)length);
        _position += (int)length;
        return true;
    }

    /// <summary>
    /// The start of a Boost object of class <paramref name="classIndex"/>: before the first object of each class
    /// Boost writes a class-info pair (tracking flag, class version). The version is ignored, as anytun's classes
    /// ignore it. A tracking flag of 1 is an error, except when emulating the reference: then, as Boost does, every
    /// object of that class is preceded by an object id, and an id below the number of tracked objects read so far is a
    /// back-reference whose content is not in the archive (<paramref name="load"/> false).
    /// </summary>
    public bool ObjectStart(int classIndex, string className, out bool load)
    {
        load = true;
        var bit = 1 << classIndex;
        if ((_seenClasses & bit) == 0)
        {
            _seenClasses |= bit;
            var trackingStart = PeekTokenStart();
            if (!Number(ulong.MaxValue, $"the tracking flag of the {className} class info", out var tracking))
            {
                return false;
            }

            if (tracking > 1)
            {
                return Fail(SyncErrorKind.BadNumber, trackingStart, string.Create(CultureInfo.InvariantCulture, $"the tracking flag of the {className} class info is {tracking}, not 0 or 1"));
            }

            if (tracking == 1)
            {
                if (!_emulateReference)
                {
                    return Fail(SyncErrorKind.TrackingNotSupported, trackingStart, $"the {className} class info has tracking flag 1 (Boost would expect object ids); anytun always writes 0");
                }

                _trackedClasses |= bit;
            }

            if (!Number(uint.MaxValue, $"the class version of the {className} class info", out _))
            {
                return false;
            }
        }

        if ((_trackedClasses & bit) != 0)
        {
            if (!Number(uint.MaxValue, $"the object id of the {className}", out var id))
            {
                return false;
            }

            if (id < _trackedObjects)
            {
                load = false;
            }
            else
            {
                _trackedObjects++;
            }
        }

        return true;
    }

    /// <summary>Records an error found by the caller at <paramref name="relativeOffset"/> in the archive.</summary>
    public bool Fail(SyncErrorKind kind, long relativeOffset, string detail)
    {
        Error ??= new SyncFormatError(kind, _baseOffset + relativeOffset, detail);
        return false;
    }

    /// <summary>Offset (in the archive) of the next token, after whitespace.</summary>
    public int PeekTokenStart()
    {
        var i = _position;
        while (i < _data.Length && IsWhitespace(_data[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Printable quote of (at most a few bytes of) the token at <paramref name="start"/>.</summary>
    public readonly string Excerpt(int start)
    {
        if (start >= _data.Length)
        {
            return "the end of the archive";
        }

        var end = start;
        while (end < _data.Length && end - start < ExcerptLength && !IsWhitespace(_data[end]))
        {
            end++;
        }

        if (end == start)
        {
            end = start + 1;
        }

        return Quote(_data[start..end], end < _data.Length && !IsWhitespace(_data[end]));
    }

    internal static string Quote(ReadOnlySpan<byte> bytes, bool truncated)
    {
        var text = new StringBuilder("'");
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7f && b != '\'')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }

        return text.Append(truncated ? "…'" : "'").ToString();
    }

    /// <summary>C isspace in the "C" locale: what istream's skipws skips.</summary>
    internal static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private void SkipWhitespace()
    {
        while (_position < _data.Length && IsWhitespace(_data[_position]))
        {
            _position++;
        }
    }
}
