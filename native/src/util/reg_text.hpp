// The pieces of .reg export text (regedit's "Windows Registry Editor Version 5.00" files) that the rule
// loader (rules/ruleset) and the logging policy reader (win/log_policy) both decode: UTF-16LE text and
// hex(2) data to UTF-8, and a "quoted" name or string with regedit's two escapes (\\ and \").
#pragma once

#include "util/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fw::util {

// Appends n bytes of UTF-16LE as UTF-8: surrogate pairs joined, a lone surrogate as U+FFFD, an odd last
// byte dropped. With stop_at_nul, stops at the first NUL unit (a REG_EXPAND_SZ's terminator).
inline void append_utf16le(std::string &out, const unsigned char *bytes, std::size_t n, bool stop_at_nul) {
    for (std::size_t i = 0; i + 1 < n; i += 2) {
        const std::uint32_t u = bytes[i] | (std::uint32_t{bytes[i + 1]} << 8);
        if (u == 0 && stop_at_nul) return;
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
            const std::uint32_t lo = bytes[i + 2] | (std::uint32_t{bytes[i + 3]} << 8);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        append_utf8(out, (u >= 0xD800 && u <= 0xDFFF) ? 0xFFFD : u);
    }
}

// The "quoted" text that starts at s[at] (a '"'), unescaped (\\ and \"; any other backslash stays as it
// is, as regedit writes it); at moves past the closing quote. nullopt when the quote is not closed.
inline std::optional<std::string> reg_unquote(std::string_view s, std::size_t &at) {
    std::string out;
    for (std::size_t i = at + 1; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '\\' || s[i + 1] == '"')) {
            out += s[++i];
        } else if (c == '"') {
            at = i + 1;
            return out;
        } else {
            out += c;
        }
    }
    return std::nullopt;
}

// A value line of a .reg export: "name"=data or @=data (the default value, an empty name).
struct reg_value_line {
    std::string name;
    std::string_view data;     // after the '=', as written
    const char *problem = nullptr; // why the line is not one ("a value name without its closing quote", ...)
};

inline reg_value_line split_reg_value(std::string_view line) {
    reg_value_line v;
    std::size_t i = 0;
    if (!line.empty() && line[0] == '@') {
        i = 1;
    } else if (!line.empty() && line[0] == '"') {
        auto quoted = reg_unquote(line, i);
        if (!quoted) {
            v.problem = "a value name without its closing quote";
            return v;
        }
        v.name = std::move(*quoted);
    } else {
        v.problem = "expected \"name\"=value or [key]";
        return v;
    }
    if (i >= line.size() || line[i] != '=') {
        v.problem = "expected '=' after the value name";
        return v;
    }
    v.data = line.substr(i + 1);
    return v;
}

} // namespace fw::util
