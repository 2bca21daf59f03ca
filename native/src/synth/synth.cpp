#include "synth/synth.hpp"

#include "core/error.hpp"
#include "rules/rule.hpp"
#include "util/ascii.hpp"
#include "util/fnv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <tuple>
#include <utility>

namespace fw::synth {
namespace {

constexpr bool has_ports(std::uint8_t protocol) noexcept { return protocol == 6 || protocol == 17; }
constexpr bool is_icmp(std::uint8_t protocol) noexcept { return protocol == 1 || protocol == 58; }

using util::trim;

// Address keywords: PowerShell spelling, rule-string token suffix and value.
struct keyword_info {
    std::string_view name;    // -RemoteAddress spelling
    bool extended;            // RA42/RA62 rather than RA4/RA6
    std::string_view token;   // rule-string value
};
constexpr std::array<keyword_info, 10> keywords{{
    {"Any", false, ""},
    {"LocalSubnet", false, "LocalSubnet"},
    {"DNS", false, "DNS"},
    {"DHCP", false, "DHCP"},
    {"WINS", false, "WINS"},
    {"DefaultGateway", false, "DefaultGateway"},
    {"Internet", true, "IntErnet"},
    {"Intranet", true, "IntrAnet"},
    {"IntranetRemoteAccess", true, "RmtIntrAnet"},
    {"PlayToDevice", true, "Ply2Renders"},
}};

const keyword_info *find_keyword(std::string_view base) noexcept {
    for (const auto &k : keywords)
        if (util::iequals(k.name, base)) return &k;
    return nullptr;
}

// Next address (same family); false on overflow.
bool increment(net::ip &a) noexcept {
    const int n = a.family == 4 ? 4 : 16;
    for (int i = n - 1; i >= 0; --i) {
        auto &b = a.bytes[static_cast<std::size_t>(i)];
        if (b != 0xff) {
            ++b;
            return true;
        }
        b = 0;
    }
    return false;
}

struct ip_hash {
    std::size_t operator()(const net::ip &a) const noexcept {
        std::uint64_t x, y;
        std::memcpy(&x, a.bytes.data(), 8);
        std::memcpy(&y, a.bytes.data() + 8, 8);
        std::uint64_t h = x * 0x9e3779b97f4a7c15ull ^ (y + a.family) * 0xc2b2ae3d27d4eb4full;
        h ^= h >> 29;
        h *= 0xbf58476d1ce4e5b9ull;
        h ^= h >> 32;
        return static_cast<std::size_t>(h);
    }
};

struct addr_stat {
    std::uint64_t hits = 0;
    std::int64_t first = FW_NO_TIME;
    std::int64_t last = FW_NO_TIME;
    void add(std::int64_t t) noexcept {
        ++hits;
        if (t == FW_NO_TIME) return;
        if (first == FW_NO_TIME || t < first) first = t;
        if (last == FW_NO_TIME || t > last) last = t;
    }
    void add(const addr_stat &o) noexcept {
        hits += o.hits;
        if (o.first != FW_NO_TIME && (first == FW_NO_TIME || o.first < first)) first = o.first;
        if (o.last != FW_NO_TIME && (last == FW_NO_TIME || o.last > last)) last = o.last;
    }
};

// Drops aggregated per (group, remote address): an open-addressing table keyed
// by group index << 32 | interned address id. Memory is bounded by the number
// of distinct pairs, not by the number of drops.
class pair_table {
public:
    struct slot {
        std::uint64_t key = 0; // key + 1; 0 = empty
        addr_stat stat;
    };
    addr_stat &operator[](std::uint64_t key) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        auto i = index(key);
        while (true) {
            auto &s = slots_[i];
            if (s.key == key + 1) return s.stat;
            if (s.key == 0) {
                s.key = key + 1;
                ++size_;
                return s.stat;
            }
            i = (i + 1) & (slots_.size() - 1);
        }
    }
    // Make room for n more keys now, so that slots found by prefetch() stay where they are.
    void reserve_more(std::size_t n) {
        while ((size_ + n + 1) * 2 > slots_.size()) grow();
    }
    // Hint the cache about the slot a key will probe first (aggregation is memory-bound when
    // most drops are new pairs).
    void prefetch(std::uint64_t key) const noexcept {
#if defined(__GNUC__) || defined(__clang__)
        if (!slots_.empty()) __builtin_prefetch(&slots_[index(key)], 1);
#else
        (void)key;
#endif
    }
    template <class F>
    void for_each(F &&f) const {
        for (const auto &s : slots_)
            if (s.key != 0) f(s.key - 1, s.stat);
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

private:
    std::size_t index(std::uint64_t key) const noexcept {
        key += 0x9e3779b97f4a7c15ull;
        key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ull;
        key = (key ^ (key >> 27)) * 0x94d049bb133111ebull;
        key ^= key >> 31;
        return static_cast<std::size_t>(key) & (slots_.size() - 1);
    }
    void grow() {
        std::vector<slot> old = std::move(slots_);
        slots_.assign(old.empty() ? 1024 : old.size() * 2, slot{});
        for (const auto &s : old) {
            if (s.key == 0) continue;
            auto i = index(s.key - 1);
            while (slots_[i].key != 0) i = (i + 1) & (slots_.size() - 1);
            slots_[i] = s;
        }
    }
    std::vector<slot> slots_;
    std::size_t size_ = 0;
};

// Remote addresses interned to dense ids (first-seen order): an open-addressing
// table of ids into the address list.
class ip_interner {
public:
    // The id of a, added when new.
    std::uint32_t intern(const net::ip &a) {
        if ((ips_.size() + 1) * 2 > slots_.size()) grow();
        auto i = ip_hash{}(a) & (slots_.size() - 1);
        while (true) {
            const std::uint32_t s = slots_[i];
            if (s == 0) {
                const auto id = static_cast<std::uint32_t>(ips_.size());
                ips_.push_back(a);
                slots_[i] = id + 1;
                return id;
            }
            if (same(ips_[s - 1], a)) return s - 1;
            i = (i + 1) & (slots_.size() - 1);
        }
    }
    [[nodiscard]] const std::vector<net::ip> &ips() const noexcept { return ips_; }

private:
    static bool same(const net::ip &x, const net::ip &y) noexcept {
        std::uint64_t a[2], b[2];
        std::memcpy(a, x.bytes.data(), 16);
        std::memcpy(b, y.bytes.data(), 16);
        return x.family == y.family && a[0] == b[0] && a[1] == b[1];
    }
    void grow() {
        slots_.assign(slots_.empty() ? 1024 : slots_.size() * 2, 0);
        for (std::size_t id = 0; id < ips_.size(); ++id) {
            auto i = ip_hash{}(ips_[id]) & (slots_.size() - 1);
            while (slots_[i] != 0) i = (i + 1) & (slots_.size() - 1);
            slots_[i] = static_cast<std::uint32_t>(id + 1);
        }
    }
    std::vector<std::uint32_t> slots_; // id + 1; 0 = empty
    std::vector<net::ip> ips_;
};

// A group: one direction, protocol and service port (or ICMP type).
struct group {
    std::uint8_t direction;
    std::uint8_t protocol;
    std::int32_t port;      // service port, or -1
    std::int16_t icmp_type; // or -1
};

// Address rank (its place among the distinct addresses in address order) -> stats,
// sorted by rank, which is address order.
using addr_list = std::vector<std::pair<std::uint32_t, addr_stat>>;

constexpr std::uint64_t group_key(std::uint8_t dir, std::uint8_t proto, std::int32_t port, std::int16_t icmp) noexcept {
    const std::uint64_t p = port >= 0 ? static_cast<std::uint64_t>(port) : 0x1ffffu;
    const std::uint64_t i = icmp >= 0 ? static_cast<std::uint64_t>(icmp) : 0x1ffu;
    return static_cast<std::uint64_t>(dir) | static_cast<std::uint64_t>(proto) << 2 | p << 10 | i << 27;
}

// A unit of synthesis: a group after the RPC keyword transformation.
struct unit {
    std::uint8_t direction;
    std::uint8_t protocol;
    port_kind kind;
    std::int32_t port; // for number
    std::int16_t icmp_type;
    addr_list addrs;
};

} // namespace

// ---- Validation ----------------------------------------------------------

std::string problem(const drop &d) {
    if (d.direction != FW_DIR_INBOUND && d.direction != FW_DIR_OUTBOUND)
        return fmt::format("direction {} is neither inbound (1) nor outbound (2)", d.direction);
    if (d.protocol < 0 || d.protocol > 255) return fmt::format("protocol {} is not 0..255", d.protocol);
    if (d.remote.family != FW_AF_INET && d.remote.family != FW_AF_INET6)
        return fmt::format("remote address missing (family {})", d.remote.family);
    if (d.local.family != FW_AF_NONE && d.local.family != FW_AF_INET && d.local.family != FW_AF_INET6)
        return fmt::format("local address family {} is invalid", d.local.family);
    for (auto [value, what] : {std::pair{d.local_port, "local port"}, std::pair{d.remote_port, "remote port"}})
        if (value < -1 || value > 65535) return fmt::format("{} {} is not 0..65535", what, value);
    if (has_ports(static_cast<std::uint8_t>(d.protocol))) {
        const auto service = d.direction == FW_DIR_INBOUND ? d.local_port : d.remote_port;
        if (service < 0)
            return fmt::format("{} {} drop without a {} port", d.direction == FW_DIR_INBOUND ? "inbound" : "outbound",
                               d.protocol == 6 ? "TCP" : "UDP", d.direction == FW_DIR_INBOUND ? "local" : "remote");
    }
    if (d.icmp_type < -1 || d.icmp_type > 255) return fmt::format("ICMP type {} is not 0..255", d.icmp_type);
    return {};
}

void validate(const drop &d, std::size_t index) {
    if (auto p = problem(d); !p.empty()) fail_invalid(fmt::format("drop {}: {}", index, p));
}

// ---- Scope ---------------------------------------------------------------

scope_entry parse_scope_entry(std::string_view text) {
    const auto t = trim(text);
    if (t.empty()) fail_invalid("scope entry is empty");
    if (auto r = net::parse_ip_spec(t)) {
        scope_entry e;
        e.text = std::string(t);
        e.range = *r;
        return e;
    }
    std::string_view base = t;
    std::uint8_t family = 0;
    if (t.back() == '4' || t.back() == '6') {
        family = t.back() == '4' ? 4 : 6;
        base = t.substr(0, t.size() - 1);
    }
    const keyword_info *k = find_keyword(base);
    if (k == nullptr || (family != 0 && k->name == "Any"))
        fail_invalid(fmt::format("scope entry '{}' is not an address, subnet, range or address keyword "
                                 "(LocalSubnet, DNS, DHCP, WINS, DefaultGateway, Internet, Intranet, "
                                 "IntranetRemoteAccess, PlayToDevice, Any)",
                                 t));
    scope_entry e;
    e.text = family != 0 ? fmt::format("{}{}", k->name, family) : std::string(k->name);
    e.family = family;
    e.any = k->name == "Any";
    return e;
}

std::optional<std::size_t> match_scope(const std::vector<scope_entry> &scope, const net::ip &a,
                                       bool &keyword_only) noexcept {
    keyword_only = false;
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < scope.size(); ++i) {
        const auto &e = scope[i];
        if (!e.range || !net::contains(*e.range, a)) continue;
        if (!best) {
            best = i;
            continue;
        }
        const auto &b = *scope[*best].range;
        if (e.range->lo >= b.lo && e.range->hi <= b.hi) best = i; // narrower
    }
    if (best) return best;
    for (std::size_t i = 0; i < scope.size(); ++i) {
        const auto &e = scope[i];
        if (e.range || e.any || (e.family != 0 && e.family != a.family)) continue;
        keyword_only = true;
        return i;
    }
    for (std::size_t i = 0; i < scope.size(); ++i)
        if (scope[i].any) return i;
    return std::nullopt;
}

// ---- Text ----------------------------------------------------------------

std::string protocol_text(std::uint8_t protocol) { return rules::protocol_text(protocol); } // the rules' spelling

std::string compress_addresses(const std::vector<net::ip> &sorted) {
    std::string out;
    std::size_t i = 0;
    while (i < sorted.size()) {
        std::size_t j = i;
        net::ip next = sorted[i];
        while (j + 1 < sorted.size() && increment(next) && sorted[j + 1] == next) ++j;
        if (!out.empty()) out += ',';
        out += net::to_string(sorted[i]);
        if (j > i) {
            out += '-';
            out += net::to_string(sorted[j]);
        }
        i = j + 1;
    }
    return out;
}

// ---- The synthesiser -----------------------------------------------------

struct synthesizer::impl {
    options opts;
    std::vector<group> groups;
    std::unordered_map<std::uint64_t, std::uint32_t> index;
    ip_interner ip_ids; // interned remote addresses
    pair_table pairs;
    std::optional<existing_rules> existing;
    std::vector<candidate> out;
    std::uint64_t added = 0;

    std::uint64_t last_key = ~0ull;
    std::uint32_t last_group = 0;
    net::ip last_ip{};
    std::uint32_t last_ip_id = ~0u;

    // Group and interned address of a drop, as one pair-table key.
    std::uint64_t key_of(const drop &d) {
        const auto proto = static_cast<std::uint8_t>(d.protocol);
        const auto dir = d.direction;
        std::int32_t port = -1;
        std::int16_t icmp = -1;
        if (has_ports(proto)) port = dir == FW_DIR_INBOUND ? d.local_port : d.remote_port;
        else if (is_icmp(proto)) icmp = d.icmp_type;
        const auto key = group_key(dir, proto, port, icmp);
        if (key != last_key) {
            auto [it, inserted] = index.try_emplace(key, static_cast<std::uint32_t>(groups.size()));
            if (inserted) groups.push_back(group{dir, proto, port, icmp});
            last_key = key;
            last_group = it->second;
        }
        const auto remote = net::from_abi(d.remote);
        if (last_ip_id == ~0u || !(remote == last_ip)) {
            last_ip = remote;
            last_ip_id = ip_ids.intern(remote);
        }
        return static_cast<std::uint64_t>(last_group) << 32 | last_ip_id;
    }

    // Validated drops, in chunks: keys first, then prefetch their slots, then update.
    void add_all(const drop *drops, std::size_t count) {
        constexpr std::size_t chunk = 32;
        std::array<std::uint64_t, chunk> keys{};
        for (std::size_t base = 0; base < count; base += chunk) {
            const std::size_t n = std::min(chunk, count - base);
            pairs.reserve_more(n);
            for (std::size_t i = 0; i < n; ++i) {
                keys[i] = key_of(drops[base + i]);
                pairs.prefetch(keys[i]);
            }
            for (std::size_t i = 0; i < n; ++i) pairs[keys[i]].add(drops[base + i].time);
            added += n;
        }
    }

    static void merge_into(addr_list &list) {
        std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        std::size_t w = 0;
        for (std::size_t r = 0; r < list.size(); ++r) {
            if (w > 0 && list[w - 1].first == list[r].first) list[w - 1].second.add(list[r].second);
            else list[w++] = list[r];
        }
        list.resize(w);
    }

    // rank: address id -> rank (see addr_list).
    std::vector<unit> make_units(const std::vector<std::uint32_t> &rank) const {
        std::vector<std::size_t> sizes(groups.size());
        pairs.for_each([&](std::uint64_t key, const addr_stat &) { ++sizes[static_cast<std::size_t>(key >> 32)]; });
        std::vector<addr_list> per_group(groups.size());
        for (std::size_t g = 0; g < groups.size(); ++g) per_group[g].reserve(sizes[g]);
        pairs.for_each([&](std::uint64_t key, const addr_stat &s) {
            per_group[static_cast<std::size_t>(key >> 32)].emplace_back(rank[static_cast<std::uint32_t>(key)], s);
        });
        std::vector<unit> units;
        units.reserve(groups.size());
        std::optional<std::size_t> rpc;
        std::optional<std::size_t> epmap_source;
        for (std::size_t gi = 0; gi < groups.size(); ++gi) {
            const auto &g = groups[gi];
            auto &list = per_group[gi];
            const bool inbound_tcp = g.direction == FW_DIR_INBOUND && g.protocol == 6;
            if (opts.use_rpc_keyword && inbound_tcp && g.port >= dynamic_port_lo) {
                if (!rpc) {
                    rpc = units.size();
                    units.push_back(unit{g.direction, g.protocol, port_kind::rpc, -1, -1, {}});
                }
                auto &dst = units[*rpc].addrs;
                dst.insert(dst.end(), list.begin(), list.end());
                continue;
            }
            if (opts.use_rpc_keyword && inbound_tcp && g.port == rpc_epmap_port) epmap_source = units.size();
            std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
            units.push_back(unit{g.direction, g.protocol, has_ports(g.protocol) ? port_kind::number : port_kind::none,
                                 g.port, g.icmp_type, std::move(list)});
        }
        if (rpc) merge_into(units[*rpc].addrs);
        // Sources that hit 135 and the dynamic range get an RPCEPMap rule; the rest keep port 135.
        if (rpc && epmap_source) {
            unit epmap{FW_DIR_INBOUND, 6, port_kind::rpc_epmap, -1, -1, {}};
            const auto &dynamic = units[*rpc].addrs;
            addr_list rest;
            for (const auto &e : units[*epmap_source].addrs) {
                const bool both = std::binary_search(dynamic.begin(), dynamic.end(), e,
                                                     [](const auto &a, const auto &b) { return a.first < b.first; });
                (both ? epmap.addrs : rest).push_back(e);
            }
            units[*epmap_source].addrs = std::move(rest);
            if (units[*epmap_source].addrs.empty()) units.erase(units.begin() + static_cast<std::ptrdiff_t>(*epmap_source));
            if (!epmap.addrs.empty()) units.push_back(std::move(epmap));
        }
        return units;
    }

    static std::vector<std::uint32_t> profile_bits(std::uint32_t mask) {
        if (mask == 0) return {FW_PROFILE_DOMAIN, FW_PROFILE_PRIVATE, FW_PROFILE_PUBLIC};
        std::vector<std::uint32_t> bits;
        for (std::uint32_t b : {FW_PROFILE_DOMAIN, FW_PROFILE_PRIVATE, FW_PROFILE_PUBLIC})
            if ((mask & b) != 0) bits.push_back(b);
        return bits;
    }

    // Status of one remote address against the rules in force.
    struct verdict {
        fw_synth_status status = FW_SYNTH_NEW;
        bool disabled = false;
        std::string rule;
        auto key() const { return std::tie(status, disabled, rule); }
        bool operator<(const verdict &o) const { return key() < o.key(); }
    };

    verdict classify(const unit &u, const net::ip &a) const {
        verdict v;
        if (!existing || !existing->check) return v;
        probe p;
        p.direction = u.direction;
        p.protocol = u.protocol;
        p.kind = u.kind;
        p.port = u.port >= 0 ? static_cast<std::uint16_t>(u.port) : 0;
        p.icmp_type = u.icmp_type;
        p.remote = a;
        bool all_allowed = true;
        std::string allow_rule, disabled_rule;
        for (auto bit : profile_bits(opts.profile)) {
            p.profile = bit;
            auto c = existing->check(p);
            if (c.kind == coverage_kind::blocked) {
                v.status = FW_SYNTH_BLOCKED_BY_RULE;
                v.rule = std::move(c.rule);
                return v;
            }
            if (c.kind == coverage_kind::allowed) {
                if (allow_rule.empty()) allow_rule = std::move(c.rule);
            } else {
                all_allowed = false;
                if (c.kind == coverage_kind::disabled_allow && disabled_rule.empty()) disabled_rule = std::move(c.rule);
            }
        }
        if (all_allowed) {
            v.status = FW_SYNTH_ALREADY_ALLOWED;
            v.rule = std::move(allow_rule);
        } else if (!disabled_rule.empty()) {
            v.disabled = true;
            v.rule = std::move(disabled_rule);
        }
        return v;
    }

    candidate make_candidate(const unit &u, fw_synth_status status, const std::vector<std::pair<net::ip, addr_stat>> &addrs,
                             const std::vector<std::size_t> &scope_of) const {
        candidate c;
        c.status = status;
        c.direction = u.direction;
        c.protocol = u.protocol;
        c.kind = u.kind;
        if (u.kind == port_kind::number) c.ports = {static_cast<std::uint16_t>(u.port), static_cast<std::uint16_t>(u.port)};
        c.icmp_type = u.icmp_type;
        c.profile = opts.profile;
        addr_stat total;
        c.remotes_seen.reserve(addrs.size());
        for (const auto &[a, s] : addrs) {
            total.add(s);
            c.remotes_seen.push_back(a);
        }
        // Units list their addresses in address order (by rank), and every split keeps it.
        if (!std::is_sorted(c.remotes_seen.begin(), c.remotes_seen.end()))
            std::sort(c.remotes_seen.begin(), c.remotes_seen.end());
        c.hits = total.hits;
        c.first_seen = total.first;
        c.last_seen = total.last;
        if (status != FW_SYNTH_OUT_OF_SCOPE && !opts.scope.empty()) {
            c.scope_used = scope_of;
            std::sort(c.scope_used.begin(), c.scope_used.end());
            c.scope_used.erase(std::unique(c.scope_used.begin(), c.scope_used.end()), c.scope_used.end());
        }
        if (u.kind == port_kind::rpc || u.kind == port_kind::rpc_epmap) c.flags |= FW_SYNTH_FLAG_RPC_KEYWORD;
        return c;
    }

    void build() {
        out.clear();
        // Distinct addresses in address order; units refer to them by rank.
        const auto &by_id = ip_ids.ips();
        std::vector<std::uint32_t> order(by_id.size());
        for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return by_id[a] < by_id[b]; });
        std::vector<std::uint32_t> rank(by_id.size());
        std::vector<net::ip> ips(by_id.size());
        for (std::uint32_t r = 0; r < order.size(); ++r) {
            rank[order[r]] = r;
            ips[r] = by_id[order[r]];
        }
        const auto units = make_units(rank);
        // Scope decisions per distinct address, once.
        std::vector<std::optional<std::size_t>> scope_of(opts.scope.empty() ? 0 : ips.size());
        std::vector<bool> keyword_of(scope_of.size());
        for (std::size_t i = 0; i < scope_of.size(); ++i) {
            bool k = false;
            scope_of[i] = match_scope(opts.scope, ips[i], k);
            keyword_of[i] = k;
        }
        for (const auto &u : units) {
            // Scope: which entry accepts each remote address.
            std::vector<std::pair<net::ip, addr_stat>> outside;
            std::vector<std::pair<net::ip, addr_stat>> inside;
            std::vector<std::size_t> inside_scope;
            std::vector<bool> inside_keyword;
            inside.reserve(u.addrs.size());
            for (const auto &[id, s] : u.addrs) {
                const auto &a = ips[id];
                if (opts.scope.empty()) {
                    inside.emplace_back(a, s);
                    continue;
                }
                const auto &m = scope_of[id];
                if (!m) {
                    outside.emplace_back(a, s);
                } else {
                    inside.emplace_back(a, s);
                    inside_scope.push_back(*m);
                    inside_keyword.push_back(keyword_of[id]);
                }
            }
            const bool partial_scope = !outside.empty() && !inside.empty();
            if (!outside.empty()) {
                auto c = make_candidate(u, FW_SYNTH_OUT_OF_SCOPE, outside, {});
                if (partial_scope) c.flags |= FW_SYNTH_FLAG_PARTIAL;
                out.push_back(std::move(c));
            }
            if (inside.empty()) continue;

            // A rerun finds its own rule by id: everything is covered.
            if (existing && existing->enabled_allow_with_id) {
                auto whole = make_candidate(u, FW_SYNTH_NEW, inside, inside_scope);
                render(whole);
                if (existing->enabled_allow_with_id(whole.name)) {
                    whole.status = FW_SYNTH_ALREADY_ALLOWED;
                    whole.rule = whole.name;
                    finish_flags(whole, inside_keyword, partial_scope);
                    out.push_back(std::move(whole));
                    continue;
                }
            }

            // Dedupe: split the addresses by their verdict.
            std::map<verdict, std::vector<std::size_t>> classes;
            for (std::size_t i = 0; i < inside.size(); ++i) classes[classify(u, inside[i].first)].push_back(i);
            for (auto &[v, idx] : classes) {
                std::vector<std::pair<net::ip, addr_stat>> part;
                std::vector<std::size_t> part_scope;
                std::vector<bool> part_keyword;
                for (auto i : idx) {
                    part.push_back(inside[i]);
                    if (!inside_scope.empty()) {
                        part_scope.push_back(inside_scope[i]);
                        part_keyword.push_back(inside_keyword[i]);
                    }
                }
                auto c = make_candidate(u, v.status, part, part_scope);
                c.rule = v.rule;
                if (v.disabled) c.flags |= FW_SYNTH_FLAG_DISABLED_RULE;
                finish_flags(c, part_keyword, partial_scope || classes.size() > 1);
                out.push_back(std::move(c));
            }
        }
        if (opts.merge_ports) merge();
        for (auto &c : out) render(c);
        std::sort(out.begin(), out.end(), [](const candidate &a, const candidate &b) {
            return std::tie(a.direction, a.protocol, a.kind, a.ports.lo, a.icmp_type, a.status, a.rule, a.remote_address) <
                   std::tie(b.direction, b.protocol, b.kind, b.ports.lo, b.icmp_type, b.status, b.rule, b.remote_address);
        });
    }

    void finish_flags(candidate &c, const std::vector<bool> &keyword, bool partial) const {
        if (std::find(keyword.begin(), keyword.end(), true) != keyword.end()) c.flags |= FW_SYNTH_FLAG_KEYWORD_SCOPE;
        if (partial) c.flags |= FW_SYNTH_FLAG_PARTIAL;
    }

    // Merge adjacent or overlapping port ranges whose other properties are equal.
    void merge() {
        std::vector<candidate> keep, ports;
        for (auto &c : out) {
            render_remote(c);
            (c.kind == port_kind::number && c.status != FW_SYNTH_OUT_OF_SCOPE ? ports : keep).push_back(std::move(c));
        }
        auto same = [](const candidate &a, const candidate &b) {
            return std::tie(a.direction, a.protocol, a.status, a.rule, a.remote_address, a.profile) ==
                   std::tie(b.direction, b.protocol, b.status, b.rule, b.remote_address, b.profile);
        };
        std::sort(ports.begin(), ports.end(), [](const candidate &a, const candidate &b) {
            return std::tie(a.direction, a.protocol, a.status, a.rule, a.remote_address, a.profile, a.ports.lo) <
                   std::tie(b.direction, b.protocol, b.status, b.rule, b.remote_address, b.profile, b.ports.lo);
        });
        for (auto &c : ports) {
            if (!keep.empty()) {
                auto &last = keep.back();
                if (last.kind == port_kind::number && last.status != FW_SYNTH_OUT_OF_SCOPE && same(last, c) &&
                    static_cast<std::uint32_t>(c.ports.lo) <= static_cast<std::uint32_t>(last.ports.hi) + 1) {
                    last.ports.hi = std::max(last.ports.hi, c.ports.hi);
                    last.hits += c.hits;
                    if (c.first_seen != FW_NO_TIME && (last.first_seen == FW_NO_TIME || c.first_seen < last.first_seen))
                        last.first_seen = c.first_seen;
                    if (c.last_seen != FW_NO_TIME && (last.last_seen == FW_NO_TIME || c.last_seen > last.last_seen))
                        last.last_seen = c.last_seen;
                    std::vector<net::ip> u;
                    std::set_union(last.remotes_seen.begin(), last.remotes_seen.end(), c.remotes_seen.begin(),
                                   c.remotes_seen.end(), std::back_inserter(u));
                    last.remotes_seen = std::move(u);
                    last.flags |= c.flags | FW_SYNTH_FLAG_MERGED;
                    continue;
                }
            }
            keep.push_back(std::move(c));
        }
        out = std::move(keep);
    }

    void render_remote(candidate &c) const {
        if (c.status == FW_SYNTH_OUT_OF_SCOPE || opts.scope.empty()) {
            c.remote_address = c.status == FW_SYNTH_OUT_OF_SCOPE ? std::string() : compress_addresses(c.remotes_seen);
            return;
        }
        std::string s;
        for (auto i : c.scope_used) {
            if (opts.scope[i].any) {
                s = "Any";
                break;
            }
            if (!s.empty()) s += ',';
            s += opts.scope[i].text;
        }
        c.remote_address = std::move(s);
    }

    void render(candidate &c) const {
        render_remote(c);
        // Without a scope the rule's addresses are exactly those seen: one rendering serves both.
        c.remote_seen = opts.scope.empty() && c.status != FW_SYNTH_OUT_OF_SCOPE ? c.remote_address
                                                                                : compress_addresses(c.remotes_seen);
        c.protocol_text = protocol_text(c.protocol);
        switch (c.kind) {
        case port_kind::number:
            c.port_text = c.ports.lo == c.ports.hi ? fmt::format("{}", c.ports.lo) : fmt::format("{}-{}", c.ports.lo, c.ports.hi);
            break;
        case port_kind::rpc: c.port_text = "RPC"; break;
        case port_kind::rpc_epmap: c.port_text = "RPCEPMap"; break;
        case port_kind::none: c.port_text.clear(); break;
        }
        c.icmp_text = c.icmp_type >= 0 ? fmt::format("{}", c.icmp_type) : std::string();
        if (c.kind == port_kind::number && c.direction == FW_DIR_INBOUND && c.protocol == 6 && c.ports.hi >= dynamic_port_lo)
            c.flags |= FW_SYNTH_FLAG_DYNAMIC_RPC;
        if (c.kind == port_kind::rpc) c.flags |= FW_SYNTH_FLAG_DYNAMIC_RPC;

        const bool in = c.direction == FW_DIR_INBOUND;
        const auto profile = c.profile == FW_PROFILE_ALL ? 0u : c.profile;
        const std::string port_or_type = !c.port_text.empty() ? c.port_text : (!c.icmp_text.empty() ? "T" + c.icmp_text : "");
        const auto canon = fmt::format("{}|{}|{}|{}|{}|{}", in ? "In" : "Out", c.protocol, c.port_text, c.icmp_text,
                                       c.remote_address, profile);
        c.name = fmt::format("Fw-{}-{}{}{}-{:016x}", in ? "In" : "Out", c.protocol_text, port_or_type.empty() ? "" : "-",
                             port_or_type, util::fnv1a64(std::as_bytes(std::span(canon))));
        c.rule_string = c.status == FW_SYNTH_OUT_OF_SCOPE ? std::string() : rule_string(c, profile);
    }

    std::string rule_string(const candidate &c, std::uint32_t profile) const {
        const bool in = c.direction == FW_DIR_INBOUND;
        std::string s = fmt::format("v2.10|Action=Allow|Active=TRUE|Dir={}|Protocol={}|", in ? "In" : "Out", c.protocol);
        if ((profile & FW_PROFILE_DOMAIN) != 0) s += "Profile=Domain|";
        if ((profile & FW_PROFILE_PRIVATE) != 0) s += "Profile=Private|";
        if ((profile & FW_PROFILE_PUBLIC) != 0) s += "Profile=Public|";
        const char *port_token = in ? "LPort" : "RPort";
        switch (c.kind) {
        case port_kind::number: s += fmt::format("{}={}|", port_token, c.port_text); break;
        case port_kind::rpc: s += "LPort=RPC|"; break;
        case port_kind::rpc_epmap: s += "LPort=RPC-EPMap|"; break;
        case port_kind::none: break;
        }
        if (!c.icmp_text.empty()) s += fmt::format("{}={}:*|", c.protocol == 1 ? "ICMP4" : "ICMP6", c.icmp_text);
        bool extended = false;
        auto add_address = [&](std::string_view text, bool v6) { s += fmt::format("{}={}|", v6 ? "RA6" : "RA4", text); };
        if (!opts.scope.empty()) {
            for (auto i : c.scope_used) {
                const auto &e = opts.scope[i];
                if (e.any) break;
                if (e.range) {
                    add_address(e.text, e.range->lo.family == 6);
                    continue;
                }
                std::string_view base = e.family != 0 ? std::string_view(e.text).substr(0, e.text.size() - 1) : e.text;
                const auto *k = find_keyword(base);
                if (k == nullptr) continue;
                if (k->extended) extended = true;
                for (std::uint8_t fam : {std::uint8_t{4}, std::uint8_t{6}}) {
                    if (e.family != 0 && e.family != fam) continue;
                    s += fmt::format("{}{}={}|", fam == 4 ? "RA4" : "RA6", k->extended ? "2" : "", k->token);
                }
            }
        } else {
            // The compressed list, family by family.
            std::size_t start = 0;
            const auto &list = c.remote_address;
            while (start < list.size()) {
                auto end = list.find(',', start);
                if (end == std::string::npos) end = list.size();
                auto item = std::string_view(list).substr(start, end - start);
                add_address(item, item.find(':') != std::string_view::npos);
                start = end + 1;
            }
        }
        s += fmt::format("Name={}|", c.name);
        if (extended) s.replace(1, 4, "2.20");
        return s;
    }
};

synthesizer::synthesizer(options opts) : impl_(std::make_unique<impl>()) {
    if (opts.profile == FW_PROFILE_ALL) opts.profile = 0;
    if ((opts.profile & ~static_cast<std::uint32_t>(FW_PROFILE_ALL)) != 0)
        fail_invalid(fmt::format("profile mask {} has bits other than Domain (1), Private (2), Public (4)", opts.profile));
    impl_->opts = std::move(opts);
}
synthesizer::~synthesizer() = default;
synthesizer::synthesizer(synthesizer &&) noexcept = default;
synthesizer &synthesizer::operator=(synthesizer &&) noexcept = default;

void synthesizer::add(const drop *drops, std::size_t count) {
    if (count == 0) return;
    if (drops == nullptr) fail_invalid("drops is NULL");
    for (std::size_t i = 0; i < count; ++i) validate(drops[i], i);
    impl_->add_all(drops, count);
}

std::size_t synthesizer::add_valid(const drop *drops, std::size_t count, int *results, std::string *first_problem) {
    if (count == 0) return 0;
    if (drops == nullptr) fail_invalid("drops is NULL");
    std::vector<drop> valid;
    valid.reserve(count);
    std::size_t rejected = 0;
    for (std::size_t i = 0; i < count; ++i) {
        auto p = problem(drops[i]);
        if (results) results[i] = p.empty() ? FW_OK : FW_EINVALID;
        if (p.empty()) {
            valid.push_back(drops[i]);
        } else if (rejected++ == 0 && first_problem) {
            *first_problem = fmt::format("drop {}: {}", i, p);
        }
    }
    impl_->add_all(valid.data(), valid.size());
    return rejected;
}

void synthesizer::set_existing(std::optional<existing_rules> rules) { impl_->existing = std::move(rules); }

const std::vector<candidate> &synthesizer::run() {
    impl_->build();
    return impl_->out;
}

const std::vector<candidate> &synthesizer::candidates() const noexcept { return impl_->out; }
const options &synthesizer::opts() const noexcept { return impl_->opts; }
std::uint64_t synthesizer::drops_added() const noexcept { return impl_->added; }

} // namespace fw::synth
