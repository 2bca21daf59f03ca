// Fuzz target: the rule grammar and the .reg/text loader, with oracles.
//  - round trip: a rule that parses is handed back through the C ABI (raw text)
//    and parses again to the same rule (same canonical texts and fields);
//  - loader: every rule load_bytes keeps parses again from its raw text;
//  - index: the indexed evaluator gives the linear evaluator's answer.
#include "abi/error.hpp"
#include "rules/index.hpp"
#include "rules/match.hpp"
#include "rules/ruleset.hpp"

#include <fw/rules.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace fw::rules;

[[noreturn]] void oracle_failed(const char *what) {
    std::fprintf(stderr, "rules_fuzz oracle failed: %s\n", what);
    std::abort();
}

std::string fingerprint(const rule &r) {
    std::string s;
    auto add = [&](std::string_view v) {
        s += v;
        s += '\x1f';
    };
    add(std::to_string(r.version_major) + "." + std::to_string(r.version_minor));
    add(std::to_string(static_cast<int>(r.act)) + std::to_string(static_cast<int>(r.dir)) + (r.active ? "A" : "-"));
    add(protocol_text(r.protocol));
    add(profiles_text(r.profiles));
    add(ports_text(r.local_ports));
    add(ports_text(r.remote_ports));
    add(addresses_text(r.local_addresses));
    add(addresses_text(r.remote_addresses));
    add(icmp_text(r.icmp));
    add(r.app), add(r.svc), add(r.package), add(r.display_name), add(r.description), add(r.group);
    add(interface_types_text(r.interface_types)), add(security_text(r.security));
    add(tokens_text(r.other)), add(tokens_text(r.unknown));
    return s;
}

void round_trip(std::string_view text) {
    rule first;
    try {
        first = parse_rule(text);
    } catch (const fw::error &) {
        return; // refused: fine, as long as nothing crashed
    }
    if (first.raw != text) oracle_failed("raw is not the text given");
    // Through the ABI, as Get-FwRule hands it out: a C string.
    fw_ruleset *rs = nullptr;
    if (fw_ruleset_new(&rs) != FW_OK) std::abort();
    std::string c_text(text);
    if (fw_ruleset_add(rs, "fuzz", c_text.c_str(), FW_STORE_OTHER) != FW_OK) oracle_failed("ABI refused a rule the parser took");
    fw_rule_info info;
    if (fw_ruleset_get(rs, 0, &info) != FW_OK) oracle_failed("fw_ruleset_get");
    rule again;
    try {
        again = parse_rule(info.raw);
    } catch (const fw::error &) {
        oracle_failed("the raw text handed back does not parse");
    }
    if (fingerprint(again) != fingerprint(first)) oracle_failed("the raw text handed back parses to another rule");
    fw_ruleset_free(rs);
}

void load_and_evaluate(const std::uint8_t *data, std::size_t size) {
    ruleset rs;
    try {
        load_bytes(rs, {reinterpret_cast<const std::byte *>(data), size}, store::unspecified, "fuzz.reg");
    } catch (const fw::error &) {
        return;
    }
    for (const auto &r : rs.rules()) {
        rule again;
        try {
            again = parse_rule(r.raw);
        } catch (const fw::error &) {
            oracle_failed("a loaded rule's raw text does not parse");
        }
        if (fingerprint(again) != fingerprint(r)) oracle_failed("a loaded rule's raw text parses to another rule");
    }
    if (rs.size() == 0 || rs.size() > 64) return;
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
    // Half the inputs: Group Policy keeps local rules out of some profiles (AllowLocalPolicyMerge = 0).
    if ((h >> 58) & 1) rs.set_local_merge(static_cast<std::uint8_t>((h >> 61) & 7));
    // A few packets from the input's bytes: the index must agree with the linear evaluator.
    evaluator ev(std::make_shared<const rule_index>(rs.rules()));
    for (int k = 0; k < 4; ++k, h = h * 6364136223846793005ull + 1442695040888963407ull) {
        packet p;
        const int dirs[] = {FW_DIR_ANY, FW_DIR_INBOUND, FW_DIR_OUTBOUND, FW_DIR_INBOUND};
        const int protocols[] = {6, 17, 1, 58, -1, 47, 6, 17};
        p.dir = dirs[h & 3];
        p.protocol = protocols[(h >> 2) & 7];
        p.local_port = static_cast<std::int32_t>((h >> 5) & 0xffff) - ((h >> 60) == 0 ? 65537 : 0);
        p.remote_port = static_cast<std::int32_t>((h >> 21) & 0xffff);
        p.icmp_type = static_cast<std::int16_t>((h >> 37) & 15);
        p.icmp_code = static_cast<std::int16_t>((h >> 41) & 3);
        p.remote = *fw::net::parse_ip((h >> 43) & 1 ? "10.0.0.5" : "2001:db8::5");
        p.remote.bytes[p.remote.family == 4 ? 3 : 15] = static_cast<std::uint8_t>(h >> 44);
        p.local = *fw::net::parse_ip("192.168.1.10");
        auto profiles = static_cast<std::uint32_t>((h >> 52) & 7);
        auto level = (h >> 55) % 7 == 0 ? detail::all : detail::relevant;
        auto linear = evaluate(rs, p, profiles, level);
        auto indexed = ev.evaluate_with_texts(p, profiles, level);
        if (linear.result != indexed.result || linear.explanation != indexed.explanation ||
            linear.rules.size() != indexed.rules.size() || linear.deciding != indexed.deciding)
            oracle_failed("the index and the linear evaluator disagree");
        for (std::size_t i = 0; i < linear.rules.size(); ++i)
            if (linear.rules[i].index != indexed.rules[i].index || linear.texts[i] != indexed.texts[i])
                oracle_failed("the index and the linear evaluator list other rules");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size > 1 << 16) return 0;
    round_trip({reinterpret_cast<const char *>(data), size});
    load_and_evaluate(data, size);
    return 0;
}
