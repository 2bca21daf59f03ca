#include "log/fields.hpp"

#include "net/address.hpp"

#include <array>
#include <cstring>

namespace fw::log {
namespace {

struct protocol_entry {
    std::string_view name; // upper case
    int number;
};

// Names Windows and IANA use for the protocols a firewall log can show.
constexpr std::array<protocol_entry, 22> protocols = {{
    {"TCP", 6},        {"UDP", 17},       {"ICMP", 1},         {"ICMPV6", 58},     {"IGMP", 2},
    {"HOPOPT", 0},     {"GGP", 3},        {"IPV4", 4},         {"EGP", 8},         {"PUP", 12},
    {"IDP", 22},       {"IPV6", 41},      {"IPV6-ROUTE", 43},  {"IPV6-FRAG", 44},  {"GRE", 47},
    {"ESP", 50},       {"AH", 51},        {"IPV6-ICMP", 58},   {"IPV6-NONXT", 59}, {"IPV6-OPTS", 60},
    {"L2TP", 115},     {"SCTP", 132},
}};

// One or two digits.
bool small_number(std::string_view s, unsigned &out) noexcept {
    if (s.empty() || s.size() > 2) return false;
    unsigned v = 0;
    for (char c : s) {
        unsigned d = static_cast<unsigned char>(c) - static_cast<unsigned>('0');
        if (d > 9) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

bool parse_date(std::string_view s, std::int64_t &days) noexcept {
    // YYYY-M[M]-D[D]
    if (s.size() < 8 || s.size() > 10 || s[4] != '-') return false;
    unsigned y = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        unsigned d = static_cast<unsigned char>(s[i]) - static_cast<unsigned>('0');
        if (d > 9) return false;
        y = y * 10 + d;
    }
    std::string_view rest = s.substr(5);
    auto dash = rest.find('-');
    if (dash == std::string_view::npos) return false;
    unsigned m = 0, d = 0;
    if (!small_number(rest.substr(0, dash), m) || !small_number(rest.substr(dash + 1), d)) return false;
    if (m < 1 || m > 12 || d < 1) return false;
    static constexpr unsigned char month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    unsigned limit = month_days[m - 1] + ((m == 2 && leap) ? 1u : 0u);
    if (d > limit) return false;
    days = days_from_civil(y, m, d);
    return true;
}

bool parse_clock(std::string_view s, std::int64_t &seconds) noexcept {
    // H[H]:MM:SS
    auto c1 = s.find(':');
    if (c1 == std::string_view::npos) return false;
    auto c2 = s.find(':', c1 + 1);
    if (c2 == std::string_view::npos || c2 - c1 != 3 || s.size() - c2 != 3) return false;
    unsigned h = 0, m = 0, sec = 0;
    if (!small_number(s.substr(0, c1), h) || !small_number(s.substr(c1 + 1, 2), m) ||
        !small_number(s.substr(c2 + 1, 2), sec))
        return false;
    if (h > 23 || m > 59 || sec > 59) return false;
    seconds = h * 3600 + m * 60 + sec;
    return true;
}

} // namespace

int protocol_by_name(std::string_view name) noexcept {
    for (const auto &p : protocols)
        if (detail::is_word(name, p.name)) return p.number;
    if (detail::is_word(name, "ICMP6")) return 58;
    return -1;
}

std::string_view protocol_name(int number) noexcept {
    switch (number) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 115: return "L2TP";
    case 132: return "SCTP";
    default: return {};
    }
}

bool parse_date_time(std::string_view date, std::string_view time, std::int64_t &out) noexcept {
    if (detail::is_dash(date) || detail::is_dash(time)) {
        // Absent only when both are absent; half a timestamp is malformed.
        if (detail::is_dash(date) && detail::is_dash(time)) {
            out = FW_NO_TIME;
            return true;
        }
        return false;
    }
    std::int64_t days = 0, secs = 0;
    if (!parse_date(date, days) || !parse_clock(time, secs)) return false;
    out = days * 86400 + secs;
    return true;
}

bool parse_address(std::string_view s, fw_addr &out) noexcept {
    if (detail::is_dash(s)) {
        out = fw_addr{};
        return true;
    }
    auto a = net::parse_ip(s);
    if (!a) return false;
    out = net::to_abi(*a);
    return true;
}

std::optional<column> type_record(const char *line, std::size_t n, const field_index &f, const layout &lay,
                                  fw_record &r) noexcept {
    auto field = [&](column c) -> std::string_view {
        auto i = lay[c];
        return i == layout::absent ? std::string_view("-") : f.get(line, n, static_cast<std::size_t>(i));
    };
    auto number = [&](column c, std::int64_t max, auto &dest) -> bool {
        std::int64_t v = 0;
        if (!parse_number(field(c), max, v)) return false;
        dest = static_cast<std::remove_reference_t<decltype(dest)>>(v);
        return true;
    };

    if (lay.has(column::date) || lay.has(column::time)) {
        if (!parse_date_time(field(column::date), field(column::time), r.time)) return column::date;
    } else {
        r.time = FW_NO_TIME;
    }
    r.action = parse_action(field(column::action));
    if (!parse_protocol(field(column::protocol), r.protocol)) return column::protocol;
    if (!parse_address(field(column::src_ip), r.src)) return column::src_ip;
    if (!parse_address(field(column::dst_ip), r.dst)) return column::dst_ip;
    if (!parse_port(field(column::src_port), r.src_port)) return column::src_port;
    if (!parse_port(field(column::dst_port), r.dst_port)) return column::dst_port;
    if (!number(column::size, INT64_MAX, r.size)) return column::size;
    {
        std::string_view flags = field(column::tcpflags);
        std::memset(r.tcp_flags, 0, sizeof r.tcp_flags);
        if (!detail::is_dash(flags)) {
            if (flags.size() >= sizeof r.tcp_flags) return column::tcpflags;
            for (char c : flags)
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return column::tcpflags;
            std::memcpy(r.tcp_flags, flags.data(), flags.size());
        }
    }
    if (!number(column::tcpsyn, INT64_MAX, r.tcp_syn)) return column::tcpsyn;
    if (!number(column::tcpack, INT64_MAX, r.tcp_ack)) return column::tcpack;
    if (!number(column::tcpwin, INT32_MAX, r.tcp_win)) return column::tcpwin;
    if (!number(column::icmptype, INT16_MAX, r.icmp_type)) return column::icmptype;
    if (!number(column::icmpcode, INT16_MAX, r.icmp_code)) return column::icmpcode;
    if (!number(column::info, INT64_MAX, r.info)) return column::info;
    r.path = parse_path(field(column::path));
    if (!number(column::pid, INT64_MAX, r.pid)) return column::pid;
    return std::nullopt;
}

} // namespace fw::log
