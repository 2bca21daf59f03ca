// fwrulebench: parse 10,000 firewall rule strings through the C ABI
// (fw_ruleset_add into a fresh rule set, then fw_ruleset_get on every rule),
// and evaluate packets against a machine-sized rule set.
//
//   fwrulebench [RULES] [RUNS]        (defaults: 10000 rules, best of 5)
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

int fail(const char *what) {
    std::fprintf(stderr, "fwrulebench: %s: %s\n", what, fw_error_last()->message);
    return 1;
}

} // namespace

int main(int argc, char **argv) {
    std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000;
    int runs = argc > 2 ? std::atoi(argv[2]) : 5;
    if (n == 0 || runs <= 0) {
        std::fprintf(stderr, "usage: fwrulebench [RULES] [RUNS]\n");
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

    // Evaluation: 10,000 packets against the first 1,000 rules (a machine's rule count).
    fw_ruleset *rs = nullptr;
    if (fw_ruleset_new(&rs) != FW_OK) return fail("fw_ruleset_new");
    std::size_t machine = std::min<std::size_t>(n, 1000);
    for (std::size_t i = 0; i < machine; ++i)
        if (fw_ruleset_add(rs, names[i].c_str(), rules[i].c_str(), FW_STORE_LOCAL) != FW_OK) return fail("add");
    const std::size_t packets = 10000;
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
    // Pass 1: verdicts and the relevant-rule lists. Pass 2 (a fresh rule set, so nothing is
    // cached): the same, reading every listed rule's text as Test-FwDrop does.
    std::size_t verdicts[5] = {};
    std::size_t listed = 0, text_bytes = 0;
    double eval_ms = 0, eval_cpu = 0, texts_ms = 0, texts_cpu = 0;
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1) {
            fw_ruleset_free(rs);
            if (fw_ruleset_new(&rs) != FW_OK) return fail("fw_ruleset_new");
            for (std::size_t i = 0; i < machine; ++i)
                if (fw_ruleset_add(rs, names[i].c_str(), rules[i].c_str(), FW_STORE_LOCAL) != FW_OK) return fail("add");
        }
        auto t0 = fw_bench::clock::now();
        double c0 = fw_bench::cpu_seconds();
        for (std::size_t i = 0; i < packets; ++i) {
            fw_evaluation *ev = nullptr;
            if (fw_ruleset_evaluate(&ev, rs, &batch[i], 0) != FW_OK) return fail("fw_ruleset_evaluate");
            fw_evaluation_info ei;
            if (fw_evaluation_get(ev, &ei) != FW_OK) return fail("fw_evaluation_get");
            if (pass == 0) {
                ++verdicts[ei.verdict];
                listed += ei.count;
            } else {
                fw_rule_result rr;
                for (std::size_t k = 0; k < ei.count; ++k) {
                    if (fw_evaluation_rule(ev, k, &rr) != FW_OK) return fail("fw_evaluation_rule");
                    text_bytes += std::char_traits<char>::length(rr.text);
                }
            }
            fw_evaluation_free(ev);
        }
        (pass == 0 ? eval_ms : texts_ms) = ms_since(t0);
        (pass == 0 ? eval_cpu : texts_cpu) = 1000.0 * (fw_bench::cpu_seconds() - c0);
    }
    fw_ruleset_free(rs);

    std::printf("rules: %zu strings, %.1f KiB, generated from the formats.md 4.3 templates\n", n, bytes / 1024.0);
    std::printf("parse (fw_ruleset_add x %zu): %.2f ms best of %d (%.0f ns/rule) - target < 50 ms: %s\n", n,
                best_parse, runs, best_parse * 1e6 / static_cast<double>(n), best_parse < 50.0 ? "met" : "MISSED");
    std::printf("read back (fw_ruleset_get x %zu, canonical text): %.2f ms\n", n, best_get);
    std::printf("evaluate: %zu packets against %zu rules in %.1f ms wall, %.1f ms CPU (%.2f us/packet CPU); verdicts:",
                packets, machine, eval_ms, eval_cpu, eval_cpu * 1000.0 / packets);
    for (int v = 0; v <= FW_VERDICT_UNDECIDABLE; ++v) std::printf(" %s=%zu", fw_verdict_name(v), verdicts[v]);
    std::printf("\n          %.1f relevant rules listed per packet on average\n",
                static_cast<double>(listed) / static_cast<double>(packets));
    std::printf("evaluate and read every listed rule's text: %.1f ms wall, %.1f ms CPU (%.2f us/packet CPU, %.0f text bytes/packet)\n",
                texts_ms, texts_cpu, texts_cpu * 1000.0 / packets, static_cast<double>(text_bytes) / packets);
    return 0;
}
