// fwgen: writes a synthetic pfirewall.log of a given size, in the format a
// current Windows writes (header with pid, blank line after #Fields, CRLF).
// Deterministic: the same seed and size give the same bytes.
//
//   fwgen OUT_FILE SIZE_MIB [SEED]
//
// Mix (roughly what a busy server's drop log looks like): 70% DROP, 30% ALLOW;
// TCP 60%, UDP 34%, ICMP 5%, IGMP 1%; 8% IPv6; about 0.5% of the lines are the
// "Director" drops (TCP SYN from 192.168.10.0/24 to port 49154) that the
// benchmark filters for.
#include "bench_util.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using fw_bench::rng;

struct out_buffer {
    std::FILE *f;
    std::string buf;
    void flush_if_full() {
        if (buf.size() >= (1u << 20)) flush();
    }
    void flush() {
        if (!buf.empty() && std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) {
            std::perror("fwgen: write");
            std::exit(1);
        }
        buf.clear();
    }
    void put(const char *s) { buf.append(s); }
    void put(std::uint64_t v) {
        char tmp[24];
        int n = std::snprintf(tmp, sizeof tmp, "%llu", static_cast<unsigned long long>(v));
        buf.append(tmp, static_cast<std::size_t>(n));
    }
    void two(unsigned v) {
        buf.push_back(static_cast<char>('0' + v / 10));
        buf.push_back(static_cast<char>('0' + v % 10));
    }
};

void put_v4(out_buffer &o, unsigned a, unsigned b, unsigned c, unsigned d) {
    o.put(a); o.buf.push_back('.'); o.put(b); o.buf.push_back('.'); o.put(c); o.buf.push_back('.'); o.put(d);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: fwgen OUT_FILE SIZE_MIB [SEED]\n");
        return 2;
    }
    const std::uint64_t target = std::strtoull(argv[2], nullptr, 10) << 20;
    rng r{argc > 3 ? std::strtoull(argv[3], nullptr, 10) | 1 : 0x9E3779B97F4A7C15ull};
    std::FILE *f = std::fopen(argv[1], "wb");
    if (!f) {
        std::perror("fwgen: open");
        return 1;
    }
    out_buffer o{f, {}};
    o.buf.reserve((1u << 20) + 512);
    o.put("#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n"
          "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn "
          "tcpack tcpwin icmptype icmpcode info path pid\r\n\r\n");
    std::uint64_t written = 0;
    std::uint64_t seconds = 0; // since 2026-11-01 00:00:00
    static constexpr std::array<unsigned, 12> common_ports{445, 135, 139, 3389, 5985, 443, 80, 53, 137, 138, 5353, 1900};
    while (written < target) {
        seconds += r.below(3);
        const unsigned day = 1 + static_cast<unsigned>(seconds / 86400) % 28;
        const unsigned hh = static_cast<unsigned>(seconds / 3600) % 24, mm = static_cast<unsigned>(seconds / 60) % 60,
                       ss = static_cast<unsigned>(seconds % 60);
        o.put("2026-11-"); o.two(day); o.buf.push_back(' ');
        o.two(hh); o.buf.push_back(':'); o.two(mm); o.buf.push_back(':'); o.two(ss); o.buf.push_back(' ');

        const unsigned pick = r.below(1000);
        const bool director = pick < 5;
        const bool drop = director || r.below(10) < 7;
        o.put(drop ? "DROP " : "ALLOW ");
        const unsigned proto_pick = director ? 0 : r.below(100);
        const bool v6 = !director && r.below(100) < 8;
        const bool inbound = director || r.below(100) < 75;
        const char *proto = proto_pick < 60 ? "TCP" : proto_pick < 94 ? "UDP" : proto_pick < 99 ? "ICMP" : "2";
        o.put(proto); o.buf.push_back(' ');
        // addresses: remote first computed, then ordered by direction
        auto put_remote = [&] {
            if (v6) {
                // IPv6 groups are hexadecimal
                char tmp[24];
                const int n = std::snprintf(tmp, sizeof tmp, "fe80::%x:%x", r.below(0xffff), r.below(0xffff));
                o.buf.append(tmp, static_cast<std::size_t>(n));
            } else if (director) {
                put_v4(o, 192, 168, 10, 20 + r.below(8));
            } else {
                put_v4(o, 10, r.below(256), r.below(256), 1 + r.below(254));
            }
        };
        auto put_local = [&] {
            if (v6) o.put("fe80::3680:dff:fe01:9e88");
            else if (director) put_v4(o, 192, 168, 10, 5);
            else put_v4(o, 192, 168, 10, 5 + r.below(2));
        };
        if (inbound) { put_remote(); o.buf.push_back(' '); put_local(); }
        else { put_local(); o.buf.push_back(' '); put_remote(); }
        o.buf.push_back(' ');
        const bool tcp = proto[0] == 'T', udp = proto[0] == 'U';
        if (tcp || udp) {
            const unsigned eph = 49152 + r.below(16383);
            const unsigned svc = director ? 49154 : common_ports[r.below(common_ports.size())];
            o.put(eph); o.buf.push_back(' '); o.put(svc);
            o.buf.push_back(' ');
        } else {
            o.put("- - ");
        }
        o.put(drop ? 40 + r.below(1400) : 0); o.buf.push_back(' ');
        if (tcp) {
            if (drop) {
                o.put(r.below(4) ? "S " : "AP ");
                o.put(r.next() & 0xffffffffu); o.put(" 0 "); o.put(1024 + r.below(64000));
            } else {
                o.put("- 0 0 0");
            }
            o.put(" - - - ");
        } else if (proto[0] == 'I') {
            o.put("- - - - "); o.put(r.below(2) ? 8 : 0); o.put(" 0 - ");
        } else {
            o.put("- - - - - - - ");
        }
        o.put(inbound ? "RECEIVE " : "SEND ");
        o.put(4 + r.below(9000));
        o.put("\r\n");
        if (o.buf.size() >= (1u << 20)) {
            written += o.buf.size();
            o.flush();
        }
    }
    written += o.buf.size();
    o.flush();
    std::fclose(f);
    std::fprintf(stderr, "fwgen: wrote %llu bytes to %s\n", static_cast<unsigned long long>(written), argv[1]);
    return 0;
}
