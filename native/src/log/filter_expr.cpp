#include "log/filter_expr.hpp"

#include "core/error.hpp"

#include <fmt/format.h>

#include <cstring>
#include <limits>

namespace fw::log {
namespace {

constexpr std::uint32_t max_slice = 1u << 24; // numbers, addresses, text: far more than any script block needs

enum class value_kind { number, code, address, text_only };

// What a field is, and the columns it reads.
struct field_info {
    value_kind kind;
    std::uint32_t columns; // bit per column
    std::uint32_t code_words = 0;
};

constexpr std::uint32_t bit(column c) { return 1u << static_cast<unsigned>(c); }

field_info info(std::uint32_t f) noexcept {
    switch (f) {
    case FW_EXPR_TIME: return {value_kind::number, bit(column::date) | bit(column::time)};
    case FW_EXPR_ACTION: return {value_kind::code, bit(column::action), 1};
    case FW_EXPR_PROTOCOL: return {value_kind::code, bit(column::protocol), 5};
    case FW_EXPR_SRC_ADDRESS: return {value_kind::address, bit(column::src_ip)};
    case FW_EXPR_DST_ADDRESS: return {value_kind::address, bit(column::dst_ip)};
    case FW_EXPR_SRC_PORT: return {value_kind::number, bit(column::src_port)};
    case FW_EXPR_DST_PORT: return {value_kind::number, bit(column::dst_port)};
    case FW_EXPR_SIZE: return {value_kind::number, bit(column::size)};
    case FW_EXPR_TCP_FLAGS: return {value_kind::text_only, bit(column::tcpflags)};
    case FW_EXPR_TCP_SYN: return {value_kind::number, bit(column::tcpsyn)};
    case FW_EXPR_TCP_ACK: return {value_kind::number, bit(column::tcpack)};
    case FW_EXPR_TCP_WINDOW: return {value_kind::number, bit(column::tcpwin)};
    case FW_EXPR_ICMP_TYPE: return {value_kind::number, bit(column::icmptype)};
    case FW_EXPR_ICMP_CODE: return {value_kind::number, bit(column::icmpcode)};
    case FW_EXPR_INFO: return {value_kind::number, bit(column::info)};
    case FW_EXPR_PATH: return {value_kind::code, bit(column::path), 1};
    case FW_EXPR_PID: return {value_kind::number, bit(column::pid)};
    case FW_EXPR_LOCAL_ADDRESS:
    case FW_EXPR_REMOTE_ADDRESS:
        return {value_kind::address, bit(column::path) | bit(column::src_ip) | bit(column::dst_ip)};
    case FW_EXPR_LOCAL_PORT:
    case FW_EXPR_REMOTE_PORT:
        return {value_kind::number, bit(column::path) | bit(column::src_port) | bit(column::dst_port)};
    default: return {value_kind::number, 0};
    }
}

constexpr std::int64_t protocol_other_code = 256;
constexpr std::int64_t protocol_absent_code = 257;

std::int64_t protocol_code(std::int16_t p) noexcept {
    if (p >= 0 && p <= 255) return p;
    return p == FW_PROTOCOL_OTHER ? protocol_other_code : protocol_absent_code;
}

// Decimal text of a non-negative number.
std::size_t decimal(std::int64_t v, char (&out)[48]) noexcept {
    char tmp[24];
    std::size_t n = 0;
    auto u = static_cast<std::uint64_t>(v);
    do {
        tmp[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u != 0);
    for (std::size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
    return n;
}

// ---- Values of a record: typed, or parsed from the raw line on first use ----

// A record's values, from a typed fw_record.
struct record_source {
    const fw_record &r;

    static bool ok() noexcept { return true; }
    bool number(std::uint32_t f, std::int64_t &v, bool &absent) const noexcept {
        switch (f) {
        case FW_EXPR_TIME: v = r.time; absent = v == FW_NO_TIME; return true;
        case FW_EXPR_SRC_PORT: v = r.src_port; break;
        case FW_EXPR_DST_PORT: v = r.dst_port; break;
        case FW_EXPR_SIZE: v = r.size; break;
        case FW_EXPR_TCP_SYN: v = r.tcp_syn; break;
        case FW_EXPR_TCP_ACK: v = r.tcp_ack; break;
        case FW_EXPR_TCP_WINDOW: v = r.tcp_win; break;
        case FW_EXPR_ICMP_TYPE: v = r.icmp_type; break;
        case FW_EXPR_ICMP_CODE: v = r.icmp_code; break;
        case FW_EXPR_INFO: v = r.info; break;
        case FW_EXPR_PID: v = r.pid; break;
        case FW_EXPR_LOCAL_PORT:
            v = r.path == FW_PATH_RECEIVE ? r.dst_port : r.path == FW_PATH_SEND ? r.src_port : FW_ABSENT;
            break;
        case FW_EXPR_REMOTE_PORT:
            v = r.path == FW_PATH_RECEIVE ? r.src_port : r.path == FW_PATH_SEND ? r.dst_port : FW_ABSENT;
            break;
        default: v = FW_ABSENT; break;
        }
        absent = v < 0;
        return true;
    }
    bool code(std::uint32_t f, std::int64_t &c) const noexcept {
        c = f == FW_EXPR_ACTION ? r.action : f == FW_EXPR_PATH ? r.path : protocol_code(r.protocol);
        return true;
    }
    bool address(std::uint32_t f, fw_addr &a) const noexcept {
        static const fw_addr none{};
        switch (f) {
        case FW_EXPR_SRC_ADDRESS: a = r.src; break;
        case FW_EXPR_DST_ADDRESS: a = r.dst; break;
        case FW_EXPR_LOCAL_ADDRESS: a = r.path == FW_PATH_RECEIVE ? r.dst : r.path == FW_PATH_SEND ? r.src : none; break;
        case FW_EXPR_REMOTE_ADDRESS: a = r.path == FW_PATH_RECEIVE ? r.src : r.path == FW_PATH_SEND ? r.dst : none; break;
        default: a = none; break;
        }
        return true;
    }
    bool flags(std::string_view &s) const noexcept {
        s = std::string_view(r.tcp_flags, strnlen(r.tcp_flags, sizeof r.tcp_flags));
        return true;
    }
};

// A record's values parsed from its raw fields, each on first use, with the
// typed reader's rules (type_record): what passes here types the same way.
struct raw_source {
    raw_source(const char *l, std::size_t size, const field_index &f, const layout &la, date_cache *d) noexcept
        : line(l), n(size), fields(f), lay(la), dates(d) {}
    const char *line;
    std::size_t n;
    const field_index &fields;
    const layout &lay;
    date_cache *dates;
    column bad = column::date;
    bool failed = false;

    // Each value below is set when its column's bit in `have` is; left uninitialised until then (zeroing
    // them cost as much as the evaluation).
    std::uint32_t have = 0; // bit per column parsed
    std::int64_t time;
    std::int64_t nums[column_count];
    std::uint8_t action, path;
    std::int16_t protocol;
    fw_addr src, dst;
    std::string_view tcp_flags;

    [[nodiscard]] bool ok() const noexcept { return !failed; }
    std::string_view text(column c) const noexcept {
        auto i = lay[c];
        return i == layout::absent ? std::string_view("-") : fields.get(line, n, static_cast<std::size_t>(i));
    }
    bool fail(column c) noexcept {
        bad = c;
        failed = true;
        return false;
    }
    bool get_number(column c, std::int64_t max, std::int64_t &v) noexcept {
        if ((have & bit(c)) == 0) {
            std::int64_t x = 0;
            if (!parse_number(text(c), max, x)) return fail(c);
            nums[static_cast<std::size_t>(c)] = x;
            have |= bit(c);
        }
        v = nums[static_cast<std::size_t>(c)];
        return true;
    }
    bool get_port(column c, std::int64_t &v) noexcept {
        if ((have & bit(c)) == 0) {
            std::int32_t p = 0;
            if (!parse_port(text(c), p)) return fail(c);
            nums[static_cast<std::size_t>(c)] = p;
            have |= bit(c);
        }
        v = nums[static_cast<std::size_t>(c)];
        return true;
    }
    std::uint8_t get_path() noexcept {
        if ((have & bit(column::path)) == 0) {
            path = parse_path(text(column::path));
            have |= bit(column::path);
        }
        return path;
    }
    bool get_address(column c, fw_addr &a) noexcept {
        fw_addr &slot = c == column::src_ip ? src : dst;
        if ((have & bit(c)) == 0) {
            if (!parse_address(text(c), slot)) return fail(c);
            have |= bit(c);
        }
        a = slot;
        return true;
    }

    bool number(std::uint32_t f, std::int64_t &v, bool &absent) noexcept {
        bool ok = true;
        switch (f) {
        case FW_EXPR_TIME:
            if ((have & bit(column::date)) == 0) {
                if (lay.has(column::date) || lay.has(column::time)) {
                    if (!parse_date_time(text(column::date), text(column::time), time, dates)) return fail(column::date);
                } else {
                    time = FW_NO_TIME;
                }
                have |= bit(column::date);
            }
            v = time;
            absent = v == FW_NO_TIME;
            return true;
        case FW_EXPR_SRC_PORT: ok = get_port(column::src_port, v); break;
        case FW_EXPR_DST_PORT: ok = get_port(column::dst_port, v); break;
        case FW_EXPR_SIZE: ok = get_number(column::size, INT64_MAX, v); break;
        case FW_EXPR_TCP_SYN: ok = get_number(column::tcpsyn, INT64_MAX, v); break;
        case FW_EXPR_TCP_ACK: ok = get_number(column::tcpack, INT64_MAX, v); break;
        case FW_EXPR_TCP_WINDOW: ok = get_number(column::tcpwin, INT32_MAX, v); break;
        case FW_EXPR_ICMP_TYPE: ok = get_number(column::icmptype, INT16_MAX, v); break;
        case FW_EXPR_ICMP_CODE: ok = get_number(column::icmpcode, INT16_MAX, v); break;
        case FW_EXPR_INFO: ok = get_number(column::info, INT64_MAX, v); break;
        case FW_EXPR_PID: ok = get_number(column::pid, INT64_MAX, v); break;
        case FW_EXPR_LOCAL_PORT:
        case FW_EXPR_REMOTE_PORT: {
            const auto p = get_path();
            const bool local = f == FW_EXPR_LOCAL_PORT;
            if (p == FW_PATH_RECEIVE) ok = get_port(local ? column::dst_port : column::src_port, v);
            else if (p == FW_PATH_SEND) ok = get_port(local ? column::src_port : column::dst_port, v);
            else v = FW_ABSENT;
            break;
        }
        default: v = FW_ABSENT; break;
        }
        absent = v < 0;
        return ok;
    }
    bool code(std::uint32_t f, std::int64_t &c) noexcept {
        if (f == FW_EXPR_PATH) {
            c = get_path();
            return true;
        }
        if (f == FW_EXPR_ACTION) {
            if ((have & bit(column::action)) == 0) {
                action = parse_action(text(column::action));
                have |= bit(column::action);
            }
            c = action;
            return true;
        }
        if ((have & bit(column::protocol)) == 0) {
            if (!parse_protocol(text(column::protocol), protocol)) return fail(column::protocol);
            have |= bit(column::protocol);
        }
        c = protocol_code(protocol);
        return true;
    }
    bool address(std::uint32_t f, fw_addr &a) noexcept {
        switch (f) {
        case FW_EXPR_SRC_ADDRESS: return get_address(column::src_ip, a);
        case FW_EXPR_DST_ADDRESS: return get_address(column::dst_ip, a);
        default: {
            const auto p = get_path();
            const bool local = f == FW_EXPR_LOCAL_ADDRESS;
            if (p == FW_PATH_RECEIVE) return get_address(local ? column::dst_ip : column::src_ip, a);
            if (p == FW_PATH_SEND) return get_address(local ? column::src_ip : column::dst_ip, a);
            a = fw_addr{};
            return true;
        }
        }
    }
    bool flags(std::string_view &s) noexcept {
        if ((have & bit(column::tcpflags)) == 0) {
            std::string_view t = text(column::tcpflags);
            if (detail::is_dash(t)) {
                t = {};
            } else {
                // As type_record: 1-7 ASCII letters.
                if (t.size() >= sizeof(fw_record::tcp_flags)) return fail(column::tcpflags);
                for (char c : t)
                    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return fail(column::tcpflags);
            }
            tcp_flags = t;
            have |= bit(column::tcpflags);
        }
        s = tcp_flags;
        return true;
    }
};

bool in_ranges(const std::vector<std::int64_t> &numbers, std::uint32_t first, std::uint32_t count,
               std::int64_t v) noexcept {
    for (std::uint32_t k = 0; k < count; ++k)
        if (v >= numbers[first + 2 * k] && v <= numbers[first + 2 * k + 1]) return true;
    return false;
}

} // namespace

std::size_t filter_expr::dotnet_text(const fw_addr &a, char (&out)[48]) noexcept {
    auto quad = [&](const std::uint8_t *b, std::size_t n) {
        for (int i = 0; i < 4; ++i) {
            if (i != 0) out[n++] = '.';
            unsigned v = b[i];
            if (v >= 100) out[n++] = static_cast<char>('0' + v / 100);
            if (v >= 10) out[n++] = static_cast<char>('0' + v / 10 % 10);
            out[n++] = static_cast<char>('0' + v % 10);
        }
        return n;
    };
    if (a.family == FW_AF_INET) return quad(a.bytes, 0);
    if (a.family != FW_AF_INET6) return 0;
    std::uint16_t g[8];
    for (int i = 0; i < 8; ++i) g[i] = static_cast<std::uint16_t>((a.bytes[2 * i] << 8) | a.bytes[2 * i + 1]);
    // .NET writes an embedded IPv4 tail for IPv4-compatible, -mapped and SIIT
    // addresses (last word pair not starting with 0) and for ISATAP (…:0:5efe:a.b.c.d).
    bool embedded = false;
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[6] != 0) {
        if (g[4] == 0 && (g[5] == 0 || g[5] == 0xffff)) embedded = true;
        else if (g[4] == 0xffff && g[5] == 0) embedded = true;
    }
    if (g[4] == 0 && g[5] == 0x5efe) embedded = true;
    const int words = embedded ? 6 : 8;
    // RFC 5952: the longest run (two or more) of zero words, the first on a tie.
    int best = -1, best_len = 0, run = 0;
    for (int i = 0; i < words; ++i) {
        if (g[i] == 0) {
            ++run;
            if (run > best_len) {
                best_len = run;
                best = i - run + 1;
            }
        } else {
            run = 0;
        }
    }
    if (best_len < 2) best = -1;
    std::size_t n = 0;
    static constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < words; ++i) {
        if (i == best) {
            out[n++] = ':';
            out[n++] = ':';
            i += best_len - 1;
            continue;
        }
        if (i != 0 && i != best + best_len) out[n++] = ':';
        bool started = false;
        for (int s = 12; s >= 0; s -= 4) {
            unsigned d = (g[i] >> s) & 0xf;
            if (d != 0 || started || s == 0) {
                out[n++] = hex[d];
                started = true;
            }
        }
    }
    if (embedded) {
        if (best + best_len != 6) out[n++] = ':';
        n = quad(a.bytes + 12, n);
    }
    return n;
}

filter_expr filter_expr::from_abi(const fw_expr &e) {
    auto bad = [](std::size_t i, std::string_view what) {
        fail_invalid(fmt::format("fw_filter_set_expr: node {}: {}", i, what));
    };
    if (e.version != FW_EXPR_VERSION)
        fail_invalid(fmt::format("fw_filter_set_expr: version {} is not {} (FW_EXPR_VERSION)", e.version,
                                 FW_EXPR_VERSION));
    if (e.nodes == nullptr || e.node_count == 0) fail_invalid("fw_filter_set_expr: no nodes");
    if (e.node_count > FW_EXPR_MAX_NODES)
        fail_invalid(fmt::format("fw_filter_set_expr: {} nodes, more than {}", e.node_count, FW_EXPR_MAX_NODES));
    auto check_array = [](const void *p, std::size_t n, std::string_view name) {
        if (n != 0 && p == nullptr) fail_invalid(fmt::format("fw_filter_set_expr: {} is NULL with a count of {}", name, n));
        if (n > max_slice) fail_invalid(fmt::format("fw_filter_set_expr: {} has {} entries, more than {}", name, n, max_slice));
    };
    check_array(e.children, e.child_count, "children");
    check_array(e.numbers, e.number_count, "numbers");
    check_array(e.addresses, e.address_count, "addresses");
    check_array(e.text, e.text_size, "text");
    if (e.child_count != e.node_count - 1)
        fail_invalid(fmt::format("fw_filter_set_expr: {} children for {} nodes (a tree has one fewer)", e.child_count,
                                 e.node_count));

    filter_expr x;
    const std::size_t n = e.node_count;
    x.nodes_.resize(n);
    std::vector<std::uint32_t> parents(n, 0);
    auto slice_ok = [](std::uint64_t first, std::uint64_t count, std::uint64_t per, std::uint64_t size) {
        return count <= size && first <= size && count * per <= size - first;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const fw_expr_node &in = e.nodes[i];
        node &out = x.nodes_[i];
        if (in.flags & ~FW_EXPR_ABSENT_PASSES) bad(i, fmt::format("unknown flags {:#x}", in.flags));
        out.first = in.first;
        out.count = in.count;
        out.absent_passes = (in.flags & FW_EXPR_ABSENT_PASSES) != 0;
        switch (in.kind) {
        case FW_EXPR_AND:
        case FW_EXPR_OR:
        case FW_EXPR_NOT: {
            if (in.field != 0 || in.flags != 0) bad(i, "AND/OR/NOT takes no field and no flags");
            if (in.kind == FW_EXPR_NOT && in.count != 1) bad(i, fmt::format("NOT has {} children, not 1", in.count));
            if (!slice_ok(in.first, in.count, 1, e.child_count)) bad(i, "children slice out of range");
            for (std::uint32_t k = 0; k < in.count; ++k) {
                std::uint32_t c = e.children[in.first + k];
                if (c >= n) bad(i, fmt::format("child index {} out of range (node count {})", c, n));
                if (c <= i) bad(i, fmt::format("child index {} is not after its parent (a cycle or a shared node)", c));
                if (parents[c]++ != 0) bad(i, fmt::format("node {} has more than one parent", c));
            }
            break;
        }
        case FW_EXPR_NUMBERS:
        case FW_EXPR_CODES:
        case FW_EXPR_ADDRESSES:
        case FW_EXPR_TEXT: {
            if (in.field < FW_EXPR_TIME || in.field > FW_EXPR_REMOTE_PORT)
                bad(i, fmt::format("unknown field {}", in.field));
            const auto fi = info(in.field);
            x.columns_ |= fi.columns;
            if (in.kind == FW_EXPR_NUMBERS) {
                if (fi.kind != value_kind::number) bad(i, fmt::format("field {} is not a number", in.field));
                if (!slice_ok(in.first, in.count, 2, e.number_count)) bad(i, "numbers slice out of range");
                for (std::uint32_t k = 0; k < in.count; ++k)
                    if (e.numbers[in.first + 2 * k] > e.numbers[in.first + 2 * k + 1])
                        bad(i, fmt::format("range {} has lo > hi", k));
            } else if (in.kind == FW_EXPR_CODES) {
                if (fi.kind != value_kind::code) bad(i, fmt::format("field {} has no codes", in.field));
                if (in.flags != 0) bad(i, "CODES takes no flags (absent is a code)");
                if (in.count != fi.code_words)
                    bad(i, fmt::format("{} code words for field {}, expected {}", in.count, in.field, fi.code_words));
                if (!slice_ok(in.first, in.count, 1, e.number_count)) bad(i, "numbers slice out of range");
            } else if (in.kind == FW_EXPR_ADDRESSES) {
                if (fi.kind != value_kind::address) bad(i, fmt::format("field {} is not an address", in.field));
                if (!slice_ok(in.first, in.count, 2, e.address_count)) bad(i, "addresses slice out of range");
                for (std::uint32_t k = 0; k < in.count; ++k) {
                    const fw_addr &lo = e.addresses[in.first + 2 * k];
                    const fw_addr &hi = e.addresses[in.first + 2 * k + 1];
                    if ((lo.family != FW_AF_INET && lo.family != FW_AF_INET6) || lo.family != hi.family)
                        bad(i, fmt::format("address range {} has a bad or mixed family", k));
                    net::ip_range r{net::from_abi(lo), net::from_abi(hi)};
                    if (r.hi < r.lo) bad(i, fmt::format("address range {} has lo > hi", k));
                }
            } else {
                if (fi.kind == value_kind::code) bad(i, fmt::format("field {} has no text", in.field));
                if (!slice_ok(in.first, in.count, FW_EXPR_TOKEN_SIZE, e.text_size)) bad(i, "text slice out of range");
                for (std::uint32_t k = 0; k < in.count; ++k) {
                    auto kind = e.text[in.first + std::size_t{k} * FW_EXPR_TOKEN_SIZE];
                    if (kind != FW_EXPR_TOKEN_ONE && kind != FW_EXPR_TOKEN_ANY_RUN)
                        bad(i, fmt::format("token {} has unknown kind {}", k, kind));
                }
            }
            if (in.kind != FW_EXPR_TEXT && fi.kind == value_kind::text_only)
                bad(i, fmt::format("field {} is text only", in.field));
            out.field = static_cast<std::uint8_t>(in.field);
            break;
        }
        default: bad(i, fmt::format("unknown kind {}", in.kind));
        }
        out.kind = static_cast<std::uint8_t>(in.kind);
    }
    for (std::size_t i = 1; i < n; ++i)
        if (parents[i] == 0) bad(i, "is not the child of any node");
    // Depth: parents come before children, so one pass from the root settles it.
    std::vector<std::uint8_t> depth(n, 0);
    depth[0] = 1;
    for (std::size_t i = 0; i < n; ++i) {
        const auto &nd = x.nodes_[i];
        if (nd.kind != FW_EXPR_AND && nd.kind != FW_EXPR_OR && nd.kind != FW_EXPR_NOT) continue;
        for (std::uint32_t k = 0; k < nd.count; ++k) {
            std::uint32_t c = e.children[nd.first + k];
            if (depth[i] >= FW_EXPR_MAX_DEPTH) bad(c, fmt::format("deeper than {} levels", FW_EXPR_MAX_DEPTH));
            depth[c] = static_cast<std::uint8_t>(depth[i] + 1);
        }
    }

    // Copy the constants; slices keep their indices.
    x.children_.assign(e.children, e.children + e.child_count);
    x.numbers_.assign(e.numbers, e.numbers + e.number_count);
    x.addresses_.reserve(e.address_count);
    for (std::size_t k = 0; k < e.address_count; ++k) x.addresses_.push_back(net::from_abi(e.addresses[k]));
    for (auto &nd : x.nodes_) {
        if (nd.kind == FW_EXPR_TEXT) {
            std::uint32_t at = static_cast<std::uint32_t>(x.tokens_.size());
            for (std::uint32_t k = 0; k < nd.count; ++k) {
                const unsigned char *t = e.text + nd.first + std::size_t{k} * FW_EXPR_TOKEN_SIZE;
                token tok;
                tok.any_run = t[0] == FW_EXPR_TOKEN_ANY_RUN;
                std::memcpy(tok.set.data(), t + 1, 32);
                x.tokens_.push_back(tok);
            }
            nd.first = at;
        }
    }
    return x;
}

bool filter_expr::match_text(const node &nd, std::string_view s) const noexcept {
    // Glob matching with one backtrack point: a later '*' supersedes an earlier one.
    const token *p = tokens_.data() + nd.first;
    const std::size_t pn = nd.count;
    std::size_t pi = 0, si = 0, star = SIZE_MAX, star_si = 0;
    auto one = [&](const token &t, char c) {
        auto u = static_cast<unsigned char>(c);
        return (t.set[u >> 3] >> (u & 7)) & 1u;
    };
    while (si < s.size()) {
        if (pi < pn && p[pi].any_run) {
            star = pi++;
            star_si = si;
        } else if (pi < pn && one(p[pi], s[si])) {
            ++pi;
            ++si;
        } else if (star != SIZE_MAX) {
            pi = star + 1;
            si = ++star_si;
        } else {
            return false;
        }
    }
    while (pi < pn && p[pi].any_run) ++pi;
    return pi == pn;
}

template <class Source> int filter_expr::eval(std::uint32_t i, Source &src) const noexcept {
    const node &nd = nodes_[i];
    switch (nd.kind) {
    case FW_EXPR_AND:
        for (std::uint32_t k = 0; k < nd.count; ++k) {
            int r = eval(children_[nd.first + k], src);
            if (r != 1) return r;
        }
        return 1;
    case FW_EXPR_OR:
        for (std::uint32_t k = 0; k < nd.count; ++k) {
            int r = eval(children_[nd.first + k], src);
            if (r != 0) return r;
        }
        return 0;
    case FW_EXPR_NOT: {
        int r = eval(children_[nd.first], src);
        return r < 0 ? r : 1 - r;
    }
    case FW_EXPR_NUMBERS: {
        std::int64_t v = 0;
        bool absent = false;
        if (!src.number(nd.field, v, absent)) return -1;
        if (absent) return nd.absent_passes ? 1 : 0;
        return in_ranges(numbers_, nd.first, nd.count, v) ? 1 : 0;
    }
    case FW_EXPR_CODES: {
        std::int64_t c = 0;
        if (!src.code(nd.field, c)) return -1;
        auto word = static_cast<std::uint64_t>(numbers_[nd.first + static_cast<std::uint32_t>(c >> 6)]);
        return ((word >> (c & 63)) & 1u) ? 1 : 0;
    }
    case FW_EXPR_ADDRESSES: {
        fw_addr a{};
        if (!src.address(nd.field, a)) return -1;
        if (a.family == FW_AF_NONE) return nd.absent_passes ? 1 : 0;
        const auto ip = net::from_abi(a);
        for (std::uint32_t k = 0; k < nd.count; ++k)
            if (net::contains(net::ip_range{addresses_[nd.first + 2 * k], addresses_[nd.first + 2 * k + 1]}, ip))
                return 1;
        return 0;
    }
    default: { // FW_EXPR_TEXT
        char buf[48];
        std::size_t len = 0;
        const auto kind = info(nd.field).kind;
        if (kind == value_kind::text_only) {
            std::string_view s;
            if (!src.flags(s)) return -1;
            if (s.empty()) return nd.absent_passes ? 1 : 0;
            return match_text(nd, s) ? 1 : 0;
        }
        if (kind == value_kind::address) {
            fw_addr a{};
            if (!src.address(nd.field, a)) return -1;
            if (a.family == FW_AF_NONE) return nd.absent_passes ? 1 : 0;
            len = dotnet_text(a, buf);
        } else {
            std::int64_t v = 0;
            bool absent = false;
            if (!src.number(nd.field, v, absent)) return -1;
            if (absent) return nd.absent_passes ? 1 : 0;
            if (v < 0) return 0; // a time before 1970: never text (the compiler sends no TEXT for time)
            len = decimal(v, buf);
        }
        return match_text(nd, std::string_view(buf, len)) ? 1 : 0;
    }
    }
}

filter_expr::result filter_expr::evaluate(const char *line, std::size_t n, const field_index &fields,
                                          const layout &lay, date_cache *dates, column &bad) const noexcept {
    raw_source src(line, n, fields, lay, dates);
    int r = eval(0, src);
    if (r < 0) {
        bad = src.bad;
        return result::bad;
    }
    return r == 1 ? result::pass : result::fail;
}

bool filter_expr::matches(const fw_record &r) const noexcept {
    record_source src{r};
    return eval(0, src) == 1;
}

} // namespace fw::log
