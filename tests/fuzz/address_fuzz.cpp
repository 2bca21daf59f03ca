// Fuzz target: the address and scope parsers, with oracles.
//  - parse_ip / parse_ip_spec: what parses prints canonically and parses again to
//    the same value; the log's fast IPv4 path agrees with parse_ipv4;
//  - breadth: drops and a scope taken from the input go through synthesis, and no
//    candidate's RemoteAddress allows more than asked: within a scope entry when a
//    scope is given, exactly addresses seen in its drops when not.
#include "log/fields.hpp"
#include "net/address.hpp"

#include <fw/synth.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace fw::net;

[[noreturn]] void oracle_failed(const char *what, std::string_view value) {
    std::fprintf(stderr, "address_fuzz oracle failed: %s: '%.*s'\n", what, static_cast<int>(value.size()), value.data());
    std::abort();
}

void parsers(std::string_view text) {
    auto a = parse_ip(text);
    std::uint8_t quad[4];
    bool fast = fw::log::parse_ipv4_quad(text, quad);
    auto v4 = parse_ipv4(text);
    if (fast != v4.has_value()) oracle_failed("parse_ipv4_quad and parse_ipv4 disagree", text);
    if (fast && (quad[0] != v4->bytes[0] || quad[1] != v4->bytes[1] || quad[2] != v4->bytes[2] || quad[3] != v4->bytes[3]))
        oracle_failed("parse_ipv4_quad and parse_ipv4 give other bytes", text);
    if (a) {
        auto printed = to_string(*a);
        auto again = parse_ip(printed);
        if (!again || *again != *a) oracle_failed("canonical text does not parse back", text);
        if (text.find('%') != std::string_view::npos) oracle_failed("a zone was accepted", text);
    }
    if (auto r = parse_ip_spec(text)) {
        if (r->hi < r->lo || r->lo.family != r->hi.family) oracle_failed("range out of order", text);
        auto again = parse_ip_spec(to_string(*r));
        if (!again || again->lo != r->lo || again->hi != r->hi) oracle_failed("range text does not parse back", text);
    }
}

// Split "scope1\nscope2\n...\0drops": up to 4 scope lines, then 6 bytes per drop.
void breadth(const std::uint8_t *data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char *>(data), size);
    auto zero = in.find('\0');
    if (zero == std::string_view::npos) return;
    std::vector<std::string> scope;
    std::string_view lines = in.substr(0, zero);
    while (!lines.empty() && scope.size() < 4) {
        auto nl = lines.find('\n');
        scope.emplace_back(lines.substr(0, nl));
        lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    }
    std::vector<const char *> ptrs;
    for (const auto &s : scope) ptrs.push_back(s.c_str());
    fw_synth_options opts = FW_SYNTH_OPTIONS_INIT;
    opts.scope = ptrs.empty() ? nullptr : ptrs.data();
    opts.scope_count = ptrs.size();
    fw_synth *synth = nullptr;
    if (fw_synth_new(&synth, &opts) != FW_OK) return; // a refused scope: fine
    std::string_view rest = in.substr(zero + 1);
    std::vector<fw_synth_drop> drops;
    std::set<ip> seen;
    for (std::size_t i = 0; i + 6 <= rest.size() && drops.size() < 256; i += 6) {
        auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(rest[i + k]); };
        fw_synth_drop d{};
        d.time = -1;
        d.direction = (b(0) & 1) ? FW_DIR_INBOUND : FW_DIR_OUTBOUND;
        d.protocol = (b(0) & 2) ? 6 : 17;
        ip remote;
        if (b(0) & 4) {
            remote = *parse_ip("2001:db8::");
            remote.bytes[14] = b(1) & 3, remote.bytes[15] = b(2);
        } else {
            remote.family = 4;
            remote.bytes[0] = 10, remote.bytes[1] = b(1) & 1, remote.bytes[2] = b(1) >> 6, remote.bytes[3] = b(2);
        }
        d.remote = to_abi(remote);
        d.local = to_abi(*parse_ip("192.168.1.10"));
        d.local_port = 1 + (b(3) & 7);
        d.remote_port = 1 + (b(4) & 7);
        d.icmp_type = -1;
        drops.push_back(d);
    }
    if (!drops.empty() && fw_synth_add_drops(synth, drops.data(), drops.size()) != FW_OK) std::abort();
    std::size_t count = 0;
    if (fw_synth_run(synth, &count) != FW_OK) std::abort();
    std::vector<ip_range> scope_ranges;
    bool scope_keyword = false;
    for (const auto &s : scope) {
        if (auto r = parse_ip_spec(s)) scope_ranges.push_back(*r);
        else scope_keyword = true;
    }
    for (std::size_t i = 0; i < count; ++i) {
        fw_synth_candidate c;
        if (fw_synth_candidate_get(synth, i, &c) != FW_OK) std::abort();
        if (c.status == FW_SYNTH_OUT_OF_SCOPE) continue;
        // Which drops are this candidate's: same direction, protocol and service port.
        std::set<ip> mine;
        for (const auto &d : drops) {
            int service = d.direction == FW_DIR_INBOUND ? d.local_port : d.remote_port;
            if (d.direction == c.direction && d.protocol == c.protocol && service >= c.port_lo && service <= c.port_hi)
                mine.insert(from_abi(d.remote));
        }
        std::string_view list = c.remote_address;
        while (!list.empty()) {
            auto comma = list.find(',');
            auto entry = list.substr(0, comma);
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            auto r = parse_ip_spec(entry);
            if (!r) {
                if (!scope_keyword) oracle_failed("a keyword RemoteAddress without a keyword scope", entry);
                continue;
            }
            if (scope.empty()) {
                // Exactly addresses seen: every address of the entry is one of the candidate's drops.
                std::size_t inside = 0;
                for (const auto &a : mine) inside += contains(*r, a) ? 1 : 0;
                ip a = r->lo;
                std::size_t n = 0;
                for (;; ++n) { // count the range's addresses, up to inside + 1
                    if (n > inside) {
                        std::fprintf(stderr, "candidate dir %d proto %d ports %d-%d, %zu drops of its own\n", c.direction, c.protocol, c.port_lo, c.port_hi, mine.size());
                        oracle_failed("RemoteAddress broader than the addresses seen", entry);
                    }
                    if (a == r->hi) break;
                    for (int k = a.family == 4 ? 3 : 15; k >= 0 && ++a.bytes[static_cast<std::size_t>(k)] == 0; --k) {}
                }
            } else {
                bool within = false;
                for (const auto &s : scope_ranges)
                    within = within || (contains(s, r->lo) && contains(s, r->hi));
                if (!within && !scope_keyword) oracle_failed("RemoteAddress outside every scope entry", entry);
            }
        }
    }
    fw_synth_free(synth);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size > 4096) return 0;
    std::string_view text(reinterpret_cast<const char *>(data), size);
    parsers(text.substr(0, text.find('\0')));
    breadth(data, size);
    return 0;
}
