using System.Text;
using System.Text.Json;

namespace CinderBackup.Engine.Format;

/// <summary>
/// Pull-parses JSON from a stream with a bounded buffer (Utf8JsonReader over a refilled window), so a
/// multi-gigabyte <c>_sha256file</c> is read without holding it. Token values are captured at each step.
/// </summary>
internal sealed class JsonTokenStream
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _final;
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = 64 });
    private byte[] _value = new byte[256];

    public JsonTokenStream(Stream stream) => _stream = stream;

    public JsonTokenType TokenType { get; private set; } = JsonTokenType.None;

    /// <summary>Raw (still escaped) UTF-8 bytes of the current string, property name or number.</summary>
    public ReadOnlySpan<byte> ValueBytes => _value.AsSpan(0, ValueLength);

    public int ValueLength { get; private set; }

    public bool ValueIsEscaped { get; private set; }

    /// <summary>The current string or property name, unescaped.</summary>
    public string GetString()
    {
        if (TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            throw new JsonException($"Expected a string, found {TokenType}.");
        }
        if (!ValueIsEscaped)
        {
            return Encoding.UTF8.GetString(ValueBytes);
        }
        // Re-parse the quoted literal to unescape it exactly as JSON defines.
        var quoted = new byte[ValueLength + 2];
        quoted[0] = (byte)'"';
        ValueBytes.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }

    public long GetInt64()
    {
        if (TokenType != JsonTokenType.Number || !System.Buffers.Text.Utf8Parser.TryParse(ValueBytes, out long v, out var used) || used != ValueLength)
        {
            throw new JsonException($"Expected an integer, found {TokenType} '{Encoding.UTF8.GetString(ValueBytes)}'.");
        }
        return v;
    }

    /// <summary>Advances to the next token; false at the end of the document.</summary>
    public bool Read()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
            if (reader.Read())
            {
                TokenType = reader.TokenType;
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName or JsonTokenType.Number)
                {
                    var span = reader.ValueSpan; // a span-based reader never yields a ValueSequence
                    if (span.Length > _value.Length)
                    {
                        _value = new byte[Math.Max(span.Length, _value.Length * 2)];
                    }
                    span.CopyTo(_value);
                    ValueLength = span.Length;
                    ValueIsEscaped = reader.ValueIsEscaped;
                }
                else
                {
                    ValueLength = 0;
                }
                _start += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                return true;
            }
            if (_final)
            {
                if (reader.BytesConsumed == 0 && _start < _end && _buffer.AsSpan(_start, _end - _start).Trim(" \t\r\n"u8).Length > 0)
                {
                    throw new JsonException("Unexpected data at the end of the document.");
                }
                return false;
            }
            _start += (int)reader.BytesConsumed;
            _state = reader.CurrentState;
            Refill();
        }
    }

    /// <summary>Skips the value the reader is positioned before (after a property name).</summary>
    public void SkipValue()
    {
        if (!Read())
        {
            throw new JsonException("Unexpected end of document.");
        }
        if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var depth = 1;
            while (depth > 0)
            {
                if (!Read())
                {
                    throw new JsonException("Unexpected end of document.");
                }
                if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    depth++;
                }
                else if (TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    depth--;
                }
            }
        }
    }

    public void Expect(JsonTokenType type)
    {
        if (!Read() || TokenType != type)
        {
            throw new JsonException($"Expected {type}, found {(TokenType == JsonTokenType.None ? "end of document" : TokenType.ToString())}.");
        }
    }

    private void Refill()
    {
        var remaining = _end - _start;
        if (remaining > 0 && _start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
        }
        _start = 0;
        _end = remaining;
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2); // one token larger than the window (a huge string)
        }
        var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0)
        {
            _final = true;
        }
        _end += n;
    }
}
