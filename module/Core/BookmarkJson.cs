using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Fw.Core
{
    /// <summary>
    /// A tiny, strict JSON reader and writer for the bookmark's fixed schema (netstandard2.0 has no
    /// System.Text.Json and the module takes no managed dependencies). The reader accepts RFC 8259 JSON only:
    /// no comments, no trailing commas, no duplicate keys, nothing after the value. Numbers are kept as their
    /// text so 64-bit values are read exactly.
    /// </summary>
    internal static class BookmarkJson
    {
        private const int MaxDepth = 16;

        /// <summary>A JSON number as written.</summary>
        internal sealed class Number
        {
            internal Number(string text) => Text = text;
            internal string Text { get; }
        }

        /// <summary>
        /// Parses <paramref name="text"/>: objects become Dictionary&lt;string, object?&gt;, arrays List&lt;object?&gt;,
        /// strings string, numbers <see cref="Number"/>, true/false bool, null null. Throws FormatException
        /// naming the character offset.
        /// </summary>
        internal static object? Parse(string text)
        {
            var p = new Parser(text);
            p.SkipSpace();
            object? value = p.Value(0);
            p.SkipSpace();
            if (!p.AtEnd) throw p.Error("unexpected text after the end of the JSON value");
            return value;
        }

        private sealed class Parser
        {
            private readonly string _s;
            private int _i;

            internal Parser(string s)
            {
                _s = s;
                // A UTF-8 byte order mark some editors add is not part of the value.
                if (_s.Length > 0 && _s[0] == '\uFEFF') _i = 1;
            }

            internal bool AtEnd => _i >= _s.Length;

            internal FormatException Error(string what) =>
                new FormatException($"{what} (at character {_i + 1})");

            internal void SkipSpace()
            {
                while (_i < _s.Length && (_s[_i] == ' ' || _s[_i] == '\t' || _s[_i] == '\n' || _s[_i] == '\r')) _i++;
            }

            internal object? Value(int depth)
            {
                if (depth > MaxDepth) throw Error("nested too deeply");
                if (AtEnd) throw Error("unexpected end of the text");
                char c = _s[_i];
                switch (c)
                {
                    case '{': return Object(depth);
                    case '[': return Array(depth);
                    case '"': return String();
                    case 't': Literal("true"); return true;
                    case 'f': Literal("false"); return false;
                    case 'n': Literal("null"); return null;
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) return NumberValue();
                        throw Error($"unexpected character '{c}'");
                }
            }

            private void Literal(string word)
            {
                if (string.CompareOrdinal(_s, _i, word, 0, word.Length) != 0) throw Error($"expected '{word}'");
                _i += word.Length;
            }

            private Dictionary<string, object?> Object(int depth)
            {
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                _i++; // {
                SkipSpace();
                if (!AtEnd && _s[_i] == '}') { _i++; return map; }
                while (true)
                {
                    SkipSpace();
                    if (AtEnd || _s[_i] != '"') throw Error("expected a property name in double quotes");
                    string key = String();
                    if (map.ContainsKey(key)) throw Error($"property '{key}' appears twice");
                    SkipSpace();
                    if (AtEnd || _s[_i] != ':') throw Error("expected ':'");
                    _i++;
                    SkipSpace();
                    map[key] = Value(depth + 1);
                    SkipSpace();
                    if (AtEnd) throw Error("unexpected end of the text in an object");
                    if (_s[_i] == ',') { _i++; continue; }
                    if (_s[_i] == '}') { _i++; return map; }
                    throw Error("expected ',' or '}'");
                }
            }

            private List<object?> Array(int depth)
            {
                var list = new List<object?>();
                _i++; // [
                SkipSpace();
                if (!AtEnd && _s[_i] == ']') { _i++; return list; }
                while (true)
                {
                    SkipSpace();
                    list.Add(Value(depth + 1));
                    SkipSpace();
                    if (AtEnd) throw Error("unexpected end of the text in an array");
                    if (_s[_i] == ',') { _i++; continue; }
                    if (_s[_i] == ']') { _i++; return list; }
                    throw Error("expected ',' or ']'");
                }
            }

            private string String()
            {
                _i++; // opening quote
                var sb = new StringBuilder();
                while (true)
                {
                    if (AtEnd) throw Error("unterminated string");
                    char c = _s[_i++];
                    if (c == '"') return sb.ToString();
                    if (c < 0x20) throw Error("control character in a string");
                    if (c != '\\') { sb.Append(c); continue; }
                    if (AtEnd) throw Error("unterminated escape");
                    char e = _s[_i++];
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                            if (_i + 4 > _s.Length ||
                                !ushort.TryParse(_s.Substring(_i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var u))
                                throw Error("bad \\u escape");
                            sb.Append((char)u);
                            _i += 4;
                            break;
                        default: throw Error($"bad escape '\\{e}'");
                    }
                }
            }

            private Number NumberValue()
            {
                int start = _i;
                if (_s[_i] == '-') _i++;
                if (AtEnd || !IsDigit(_s[_i])) throw Error("bad number");
                if (_s[_i] == '0') _i++;
                else while (!AtEnd && IsDigit(_s[_i])) _i++;
                if (!AtEnd && _s[_i] == '.')
                {
                    _i++;
                    if (AtEnd || !IsDigit(_s[_i])) throw Error("bad number");
                    while (!AtEnd && IsDigit(_s[_i])) _i++;
                }
                if (!AtEnd && (_s[_i] == 'e' || _s[_i] == 'E'))
                {
                    _i++;
                    if (!AtEnd && (_s[_i] == '+' || _s[_i] == '-')) _i++;
                    if (AtEnd || !IsDigit(_s[_i])) throw Error("bad number");
                    while (!AtEnd && IsDigit(_s[_i])) _i++;
                }
                return new Number(_s.Substring(start, _i - start));
            }

            private static bool IsDigit(char c) => c >= '0' && c <= '9';
        }

        /// <summary>A JSON string literal for <paramref name="s"/>.</summary>
        internal static string Quote(string s)
        {
            var sb = new StringBuilder(s.Length + 2);
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
            return sb.ToString();
        }
    }
}
