#include "log/layout.hpp"

#include "util/ascii.hpp"

namespace fw::log {
namespace {

constexpr std::array<std::string_view, column_count> names = {
    "date",    "time",   "action", "protocol", "src-ip",   "dst-ip",   "src-port", "dst-port", "size",
    "tcpflags", "tcpsyn", "tcpack", "tcpwin",  "icmptype", "icmpcode", "info",     "path",     "pid",
};

} // namespace

std::string_view column_name(column c) noexcept { return names[static_cast<std::size_t>(c)]; }

layout layout::standard(bool with_pid) noexcept {
    layout l;
    for (std::size_t i = 0; i < column_count; ++i) l.index[i] = static_cast<std::int8_t>(i);
    if (!with_pid) l.index[static_cast<std::size_t>(column::pid)] = absent;
    l.fields = with_pid ? 18 : 17;
    return l;
}

std::optional<layout> parse_fields_header(std::string_view text) noexcept {
    layout l;
    l.index.fill(layout::absent);
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        if (i == text.size()) break;
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
        std::string_view name = text.substr(i, j - i);
        if (n == max_fields) return std::nullopt;
        for (std::size_t c = 0; c < column_count; ++c) {
            if (util::iequals(name, names[c])) {
                if (l.index[c] != layout::absent) return std::nullopt;
                l.index[c] = static_cast<std::int8_t>(n);
            }
        }
        ++n;
        i = j;
    }
    if (n == 0) return std::nullopt;
    l.fields = static_cast<std::uint8_t>(n);
    return l;
}

} // namespace fw::log
