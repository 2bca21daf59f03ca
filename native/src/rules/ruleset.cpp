// The rule set and the file loaders (.reg exports and plain text).
#include "rules/ruleset.hpp"
#include "util/reg_text.hpp"

#include "core/error.hpp"
#include "io/file.hpp"
#include "util/ascii.hpp"

#include <fmt/format.h>

#include <cstring>

namespace fw::rules {
namespace {

using util::icontains;
constexpr auto &iends = util::iends_with;

std::string_view trim(std::string_view s) noexcept { return util::trim(s, " \t\r"); }


// A name for a message: NUL bytes shown as \0.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\0') out += "\\0";
        else out += c;
    }
    return out;
}

bool starts_with_version(std::string_view s) noexcept {
    return s.size() >= 2 && (s[0] == 'v' || s[0] == 'V') && s[1] >= '0' && s[1] <= '9';
}

store store_of_key(std::string_view key) noexcept {
    if (icontains(key, "\\Policies\\Microsoft\\WindowsFirewall")) return store::group_policy;
    if (iends(key, "\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules")) return store::local;
    return store::file;
}

std::size_t load_reg(ruleset &rs, std::string_view text, store origin, std::string_view source) {
    std::vector<reg_problem> problems;
    auto values = parse_reg_text(text, &problems);
    for (auto &p : problems) rs.report({"", std::string(source), p.line, 0, p.message});
    // Every string value of a ...\FirewallRules key is a rule. Other keys (an export of the
    // whole FirewallPolicy key) also hold rules, e.g. the service-hardening rules under
    // RestrictedServices\...\System, next to profile settings: there only values that look
    // like rule strings ("v2.x|...") are taken.
    std::size_t added = 0;
    for (const auto &v : values) {
        if (!iends(v.key, "FirewallRules") && !starts_with_version(trim(v.data))) continue;
        auto where = origin == store::unspecified ? store_of_key(v.key) : origin;
        if (rs.add_or_report(v.name, v.data, where, source, v.line)) ++added;
    }
    return added;
}

std::size_t load_text(ruleset &rs, std::string_view text, store origin, std::string_view source) {
    if (origin == store::unspecified) origin = store::file;
    auto base = std::string_view(source);
    if (auto slash = base.find_last_of("/\\"); slash != std::string_view::npos) base.remove_prefix(slash + 1);
    std::size_t added = 0;
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        ++line_no;
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        std::string name;
        std::string_view rule_text = line;
        if (!starts_with_version(line)) {
            auto eq = line.find('=');
            auto bar = line.find('|');
            if (eq != std::string_view::npos && (bar == std::string_view::npos || eq < bar)) {
                name.assign(trim(line.substr(0, eq)));
                rule_text = trim(line.substr(eq + 1));
            }
        }
        if (name.empty()) name = fmt::format("{}:{}", base, line_no);
        if (rs.add_or_report(name, rule_text, origin, source, line_no)) ++added;
    }
    return added;
}

} // namespace

const rule &ruleset::add(std::string_view name, std::string_view text, store origin, std::string_view source,
                         std::uint64_t line) {
    rule r;
    try {
        if (auto nul = name.find('\0'); nul != std::string_view::npos)
            throw fw::error(FW_EFORMAT, FW_ERRCLASS_FORMAT,
                            fmt::format("a NUL byte in the rule's name at position {} (the name would end there)",
                                        nul + 1));
        r = parse_rule(text);
    } catch (const fw::error &e) {
        auto label = name.empty() ? std::string("(unnamed)") : printable(name);
        std::string where = source.empty() ? std::string() : line ? fmt::format(" ({}:{})", source, line)
                                                                  : fmt::format(" ({})", source);
        throw fw::error(e.code(), e.klass(), fmt::format("rule '{}'{}: {}", label, where, e.what()), 0,
                        static_cast<std::int64_t>(line), e.column());
    }
    r.name.assign(name);
    r.origin = origin;
    r.source.assign(source);
    r.line = line;
    if (origin == store::local) r.merged_profiles = local_merge_;
    rules_.push_back(std::move(r));
    return rules_.back();
}

void ruleset::set_local_merge(std::uint8_t profiles) noexcept {
    local_merge_ = static_cast<std::uint8_t>(profiles & FW_PROFILE_ALL);
    for (auto &r : rules_)
        if (r.origin == store::local) r.merged_profiles = local_merge_;
}

bool ruleset::add_or_report(std::string_view name, std::string_view text, store origin, std::string_view source,
                            std::uint64_t line) {
    try {
        add(name, text, origin, source, line);
        return true;
    } catch (const fw::error &e) {
        if (e.code() != FW_EFORMAT) throw;
        report({printable(name), std::string(source), line, static_cast<std::uint64_t>(e.column()), e.what()});
        return false;
    }
}

std::string decode_text(std::span<const std::byte> bytes) {
    auto b = [&](std::size_t i) { return std::to_integer<unsigned>(bytes[i]); };
    std::size_t n = bytes.size();
    bool utf16 = false;
    std::size_t start = 0;
    if (n >= 2 && b(0) == 0xFF && b(1) == 0xFE) {
        utf16 = true;
        start = 2;
    } else if (n >= 4 && b(0) != 0 && b(1) == 0 && b(2) != 0 && b(3) == 0) {
        utf16 = true; // UTF-16LE without a BOM
    }
    if (!utf16) {
        if (n >= 3 && b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) start = 3;
        return std::string(reinterpret_cast<const char *>(bytes.data()) + start, n - start);
    }
    std::string out;
    out.reserve((n - start) / 2 + 16);
    util::append_utf16le(out, reinterpret_cast<const unsigned char *>(bytes.data()) + start, n - start, false);
    return out;
}

std::vector<reg_value> parse_reg_text(std::string_view text, std::vector<reg_problem> *problems) {
    std::vector<reg_value> out;
    std::string key;
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    bool continuing = false; // inside a hex value continued with '\'
    auto problem = [&](std::string msg) {
        if (problems) problems->push_back({line_no, std::move(msg)});
    };
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line_no;
        line = trim(line);
        if (continuing) {
            continuing = !line.empty() && line.back() == '\\';
            continue;
        }
        if (line.empty() || line[0] == ';') continue;
        if (line.starts_with("Windows Registry Editor") || line.starts_with("REGEDIT")) continue;
        if (line[0] == '[') {
            auto close = line.rfind(']');
            key.assign(line.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
            if (!key.empty() && key[0] == '-') key.clear(); // a deletion entry: no values follow
            continue;
        }
        auto value_line = util::split_reg_value(line);
        if (value_line.problem != nullptr) {
            problem(fmt::format("line {}: {}", line_no, value_line.problem));
            continue;
        }
        std::string &name = value_line.name;
        const std::string_view data = value_line.data;
        if (data.empty() || data[0] != '"') {
            // dword:, hex:, hex(2): ... or '-' (delete): not a rule string.
            continuing = !data.empty() && data.back() == '\\';
            continue;
        }
        std::size_t j = 0;
        auto value = util::reg_unquote(data, j);
        if (!value || j != data.size()) {
            problem(fmt::format("line {}: value '{}': the string data is not a closed \"...\"", line_no, name));
            continue;
        }
        if (key.empty()) {
            problem(fmt::format("line {}: value '{}' outside a [key]", line_no, name));
            continue;
        }
        out.push_back({key, std::move(name), std::move(*value), line_no});
    }
    return out;
}

std::size_t load_bytes(ruleset &rs, std::span<const std::byte> bytes, store origin, std::string_view source) {
    auto text = decode_text(bytes);
    std::string_view view = text;
    auto first = view.substr(0, view.find('\n'));
    if (first.starts_with("Windows Registry Editor") || first.starts_with("REGEDIT4"))
        return load_reg(rs, view, origin, source);
    return load_text(rs, view, origin, source);
}

std::size_t load_file(ruleset &rs, const std::string &path, store origin) {
    if (path.empty()) fail_invalid("the path is empty");
    const std::string bytes = io::read_whole_file(path, "a rule file");
    return load_bytes(rs, std::as_bytes(std::span<const char>(bytes)), origin, path);
}

} // namespace fw::rules
