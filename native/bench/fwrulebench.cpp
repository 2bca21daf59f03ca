// fwrulebench: parse 10,000 firewall rule strings through the C ABI
// (fw_ruleset_add into a fresh rule set, then fw_ruleset_get on every rule),
// and evaluate packets against a machine-sized rule set.
//
//   fwrulebench [RULES] [RUNS] [PACKETS]   (defaults: 10000 rules, best of 5, 10000 packets)
//
// Evaluation is measured three ways, each on a fresh rule set (nothing cached):
//  - distinct flows: every packet a new flow (the cost of a flow the cache cannot answer);
//  - a log's repeats: the same number of evaluations drawn from a tenth as many flows, each
//    seen again and again in random order, as Test-FwDrop sees a log's drops;
//  - distinct flows again, reading every listed rule's text.
//
// The strings are generated from the real rule templates of
// tests/data/rules/reference-rules.txt (default Windows rules, service hardening,
// Windows 11 deviations, user rules) with varied ports, addresses, profiles,
// names and programs. Target: under 50 ms for 10,000 rules.
#include "bench_util.hpp"

#include <fw/fw.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using fw_bench::rng;
using fw_bench::ms_since;

std::string make_rule(rng &r, std::size_t i) {
    auto port = [&] { return std::to_string(1 + r.below(65535)); };
    auto v4 = [&] {
        return std::to_string(10 + r.below(200)) + "." + std::to_string(r.below(256)) + "." +
               std::to_string(r.below(256)) + "." + std::to_string(r.below(256));
    };
    auto res = [&] { return "@FirewallAPI.dll,-" + std::to_string(28000 + r.below(6000)); };
    const char *profiles[] = {"", "Profile=Domain|", "Profile=Private|Profile=Public|",
                              "Profile=Domain|Profile=Private|Profile=Public|"};
    std::string prof = profiles[r.below(4)];
    switch (i % 12) {
    case 0: // RemoteDesktop-UserMode-In-TCP
        return "v2.22|Action=Allow|Active=TRUE|Dir=In|Protocol=6|" + prof + "LPort=" + port() +
               "|App=%SystemRoot%\\system32\\svchost.exe|Svc=termservice|Name=" + res() + "|Desc=" + res() +
               "|EmbedCtxt=" + res() + "|";
    case 1: // [MS-GPFAS] 4.2
        return "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=RPC|RPort=" + port() +
               "|LA4=" + v4() + "/255.255.255.0|LA4=" + v4() + "/255.255.0.0|RA4=LocalSubnet|RA6=LocalSubnet|"
               "App=c:\\path\\foo" + std::to_string(i) + ".exe|Name=Firewall Rule Test " + std::to_string(i) +
               "|Security=Authenticate|Security2_9=An-NoEncap|";
    case 2:
        return "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=RPC-EPMap|Svc=Rpcss|Name=" + res() +
               "|Desc=" + res() + "|EmbedCtxt=" + res() + "|";
    case 3:
        return "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=1|ICMP4=" + std::to_string(r.below(20)) +
               ":*|Name=" + res() + "|Desc=" + res() + "|EmbedCtxt=" + res() + "|";
    case 4:
        return "v2.26|Action=Allow|Active=TRUE|Dir=In|Protocol=17|LPort=" + port() +
               "|RA4=LocalSubnet|RA6=LocalSubnet|App=%SystemRoot%\\system32\\svchost.exe|Svc=dnscache|Name=" +
               res() + "|Desc=" + res() + "|EmbedCtxt=" + res() + "|";
    case 5:
        return "V2.0|Action=Block|Dir=In|App=%SystemRoot%\\system32\\svchost.exe|Svc=DHCPServer" +
               std::to_string(i) + "|Name=@%SystemRoot%\\system32\\dhcpssvc.dll,-205|";
    case 6:
        return "V2.0|Action=Allow|Dir=Out|Protocol=tcp|rport=" + port() + "," + port() + "," + port() + "," +
               port() + ",443|App=%SystemRoot%\\system32\\SearchProtocolHost.exe|Name=Allow outbound traffic " +
               std::to_string(i) + "|";
    case 7:
        return "V2.0|Action=Block|Dir=In|LPort=1-553,555-8553,8555-65535|Protocol=6|App=%PROGRAMFILES%\\Windows "
               "Media Player\\wmpnetwk.exe|Svc=WMPNetworkSvc|Name=Service hardening " + std::to_string(i) + "|";
    case 8:
        return "v2.33|Action=Allow|Active=TRUE|Dir=In|Protocol=6|App=%SystemRoot%\\system32\\RdpSa" +
               std::to_string(i) + ".exe|Name=" + res() + "|Desc=" + res() + "|EmbedCtxt=" + res() +
               "|Edge=TRUE|Defer=App|";
    case 9:
        return "v2.22|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=RPC|App=%SystemRoot%\\system32\\svchost.exe|"
               "Svc=ktmrm|Name=" + res() + "|Desc=" + res() + "|EmbedCtxt=" + res() + "|";
    case 10:
        return "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|" + prof +
               "App=c:\\program files\\vendor\\app" + std::to_string(i) + "\\bin\\server.exe|Name=server" +
               std::to_string(i) + ".exe|Desc=server.exe|Defer=User|";
    default: // a block rule with a scope of addresses, ranges and IPv6
        return "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=17|" + prof + "LPort=" + port() + "-65535|RA4=" +
               v4() + "/24|RA4=" + v4() + "-" + "250.0.0.1|RA6=2001:db8:" + std::to_string(r.below(9999)) +
               "::/48|Name=Block scope " + std::to_string(i) + "|";
    }
}

// Evaluates every packet of `order` once (through the C ABI, as Test-FwDrop does) and counts
// verdicts and listed rules.
bool evaluate_all(fw_ruleset *rs, const std::vector<fw_packet> &batch,
                                    const std::vector<std::uint32_t> &order, bool texts, std::size_t *verdicts,
                                    std::size_t &listed, std::size_t &text_bytes) {
    for (auto i : order) {
        fw_evaluation *ev = nullptr;
        if (fw_ruleset_evaluate(&ev, rs, &batch[i], 0) != FW_OK) return false;
        fw_evaluation_info ei;
        if (fw_evaluation_get(ev, &ei) != FW_OK) return false;
        ++verdicts[ei.verdict];
        listed += ei.count;
        if (texts) {
            fw_rule_result rr;
            for (std::size_t k = 0; k < ei.count; ++k) {
                if (fw_evaluation_rule(ev, k, &rr) != FW_OK) return false;
                text_bytes += std::char_traits<char>::length(rr.text);
            }
        }
        fw_evaluation_free(ev);
    }
    return true;
}

// One function per pass, not inlined: a profiler counts one pass alone, e.g.
//   valgrind --tool=callgrind --toggle-collect='*evaluate_distinct_flows*' fwrulebench 1000 1 2000
using pass_fn = bool (*)(fw_ruleset *, const std::vector<fw_packet> &, const std::vector<std::uint32_t> &, bool,
                         std::size_t *, std::size_t &, std::size_t &);
[[gnu::noinline]] bool evaluate_distinct_flows(fw_ruleset *rs, const std::vector<fw_packet> &batch,
                                               const std::vector<std::uint32_t> &order, bool texts,
                                               std::size_t *verdicts, std::size_t &listed, std::size_t &text_bytes) {
    return evaluate_all(rs, batch, order, texts, verdicts, listed, text_bytes);
}
[[gnu::noinline]] bool evaluate_repeated_flows(fw_ruleset *rs, const std::vector<fw_packet> &batch,
                                               const std::vector<std::uint32_t> &order, bool texts,
                                               std::size_t *verdicts, std::size_t &listed, std::size_t &text_bytes) {
    return evaluate_all(rs, batch, order, texts, verdicts, listed, text_bytes);
}
[[gnu::noinline]] bool evaluate_with_texts(fw_ruleset *rs, const std::vector<fw_packet> &batch,
                                           const std::vector<std::uint32_t> &order, bool texts, std::size_t *verdicts,
                                           std::size_t &listed, std::size_t &text_bytes) {
    return evaluate_all(rs, batch, order, texts, verdicts, listed, text_bytes);
}

int fail(const char *what) {
    std::fprintf(stderr, "fwrulebench: %s: %s\n", what, fw_error_last()->message);
    return 1;
}

} // namespace

int main(int argc, char **argv) {
    std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
    int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    std::size_t packets = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 10000;
    if (n == 0 || runs <= 0 || packets == 0) {
        std::fprintf(stderr, "usage: fwrulebench [RULES] [RUNS] [PACKETS]\n");
        return 2;
    }
    rng r{0x9e3779b97f4a7c15ull};
    std::vector<std::string> rules;
    std::vector<std::string> names;
    rules.reserve(n);
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
        rules.push_back(make_rule(r, i));
        names.push_back("{rule-" + std::to_string(i) + "}");
        bytes += rules.back().size();
    }

    double best_parse = 1e300, best_get = 1e300;
    for (int run = 0; run < runs; ++run) {
        fw_ruleset *rs = nullptr;
        if (fw_ruleset_new(&rs) != FW_OK) return fail("fw_ruleset_new");
        auto t0 = fw_bench::clock::now();
        for (std::size_t i = 0; i < n; ++i)
            if (fw_ruleset_add(rs, names[i].c_str(), rules[i].c_str(), FW_STORE_LOCAL) != FW_OK)
                return fail(rules[i].c_str());
        best_parse = std::min(best_parse, ms_since(t0));
        t0 = fw_bench::clock::now();
        std::size_t chars = 0;
        fw_rule_info info;
        for (std::size_t i = 0; i < n; ++i) {
            if (fw_ruleset_get(rs, i, &info) != FW_OK) return fail("fw_ruleset_get");
            chars += std::char_traits<char>::length(info.local_ports);
        }
        best_get = std::min(best_get, ms_since(t0));
        if (chars == 0) return fail("no ports");
        fw_ruleset_free(rs);
    }

    // Evaluation: PACKETS packets against the first 1,000 rules (a machine's rule count).
    std::size_t machine = std::min<std::size_t>(n, 1000);
    auto fresh_set = [&]() -> fw_ruleset * {
        fw_ruleset *set = nullptr;
        if (fw_ruleset_new(&set) != FW_OK) return nullptr;
        for (std::size_t i = 0; i < machine; ++i)
            if (fw_ruleset_add(set, names[i].c_str(), rules[i].c_str(), FW_STORE_LOCAL) != FW_OK) return nullptr;
        return set;
    };
    std::vector<fw_packet> batch(packets);
    for (std::size_t i = 0; i < packets; ++i) {
        fw_packet &p = batch[i];
        p = fw_packet{};
        p.direction = i % 5 == 0 ? FW_DIR_OUTBOUND : FW_DIR_INBOUND;
        p.protocol = i % 3 == 0 ? 17 : 6;
        p.local.family = FW_AF_INET;
        p.local.bytes[0] = 192, p.local.bytes[2] = 2, p.local.bytes[3] = 1;
        p.remote.family = FW_AF_INET;
        p.remote.bytes[0] = static_cast<std::uint8_t>(10 + r.below(200));
        p.remote.bytes[3] = static_cast<std::uint8_t>(r.below(256));
        p.local_port = static_cast<std::int32_t>(i % 4 == 0 ? 49152 + r.below(16000) : 1 + r.below(10000));
        p.remote_port = static_cast<std::int32_t>(1024 + r.below(60000));
        p.icmp_type = p.icmp_code = -1;
        p.profiles = static_cast<std::uint32_t>(i % 2 ? FW_PROFILE_PUBLIC : FW_PROFILE_UNKNOWN);
    }
    // Distinct flows: each packet once. A log's repeats: as many evaluations, of the first tenth
    // of the packets, each flow drawn with a skew (some flows are seen far more often than others).
    std::vector<std::uint32_t> distinct(packets), repeated(packets);
    for (std::size_t i = 0; i < packets; ++i) distinct[i] = static_cast<std::uint32_t>(i);
    const auto flows = static_cast<std::uint32_t>(std::max<std::size_t>(1, packets / 10));
    rng pick{12345};
    for (auto &k : repeated) k = pick.below(1 + pick.below(flows)); // skewed towards the first flows
    struct pass {
        const char *what;
        const std::vector<std::uint32_t> &order;
        bool texts;
        pass_fn run;
        double wall_ms = 0, cpu_ms = 0;
        std::size_t verdicts[5] = {};
        std::size_t listed = 0, text_bytes = 0;
    } passes[] = {{"distinct flows", distinct, false, evaluate_distinct_flows},
                  {"a log's repeats", repeated, false, evaluate_repeated_flows},
                  {"distinct flows, every listed rule's text read", distinct, true, evaluate_with_texts}};
    for (auto &ps : passes) {
        fw_ruleset *rs = fresh_set();
        if (!rs) return fail("a rule set for evaluation");
        auto t0 = fw_bench::clock::now();
        double c0 = fw_bench::cpu_seconds();
        if (!ps.run(rs, batch, ps.order, ps.texts, ps.verdicts, ps.listed, ps.text_bytes))
            return fail("evaluation");
        ps.wall_ms = ms_since(t0);
        ps.cpu_ms = 1000.0 * (fw_bench::cpu_seconds() - c0);
        fw_ruleset_free(rs);
    }
    std::size_t seen_flows = 0;
    {
        std::vector<bool> seen(packets);
        for (auto k : repeated) seen_flows += seen[k] ? 0 : 1, seen[k] = true;
    }

    std::printf("rules: %zu strings, %.1f KiB, generated from the formats.md 4.3 templates\n", n, bytes / 1024.0);
    std::printf("parse (fw_ruleset_add x %zu): %.2f ms best of %d (%.0f ns/rule) - target < 50 ms: %s\n", n,
                best_parse, runs, best_parse * 1e6 / static_cast<double>(n), best_parse < 50.0 ? "met" : "MISSED");
    std::printf("read back (fw_ruleset_get x %zu, canonical text): %.2f ms\n", n, best_get);
    for (const auto &ps : passes) {
        std::printf("evaluate, %s: %zu packets against %zu rules in %.1f ms wall, %.1f ms CPU (%.2f us/packet CPU)",
                    ps.what, ps.order.size(), machine, ps.wall_ms, ps.cpu_ms, ps.cpu_ms * 1000.0 / static_cast<double>(ps.order.size()));
        if (ps.texts) std::printf(", %.0f text bytes/packet", static_cast<double>(ps.text_bytes) / static_cast<double>(ps.order.size()));
        std::printf("\n          verdicts:");
        for (int v = 0; v <= FW_VERDICT_UNDECIDABLE; ++v) std::printf(" %s=%zu", fw_verdict_name(v), ps.verdicts[v]);
        std::printf("; %.1f relevant rules listed per packet\n",
                    static_cast<double>(ps.listed) / static_cast<double>(ps.order.size()));
    }
    std::printf("          (a log's repeats: %zu distinct flows among %zu packets)\n", seen_flows, packets);
    std::printf("target: distinct flows <= 2 us/packet CPU: %s\n",
                passes[0].cpu_ms * 1000.0 / static_cast<double>(packets) <= 2.0 ? "met" : "MISSED");
    return 0;
}
