// A generated multi-MB log, damaged on purpose, read by the engine and by a
// naive reference parser written here (inet_pton, timegm, strtoll): they must
// agree record by record, also after UTF-16LE re-encoding.
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace fw_test;

namespace {

const char *const std_names[] = {"date",     "time",     "action", "protocol", "src-ip", "dst-ip",
                                 "src-port", "dst-port", "size",   "tcpflags", "tcpsyn", "tcpack",
                                 "tcpwin",   "icmptype", "icmpcode", "info",   "path",   "pid"};

// ---- generator ---------------------------------------------------------------

struct generator {
    std::mt19937_64 rng{20261125};
    std::vector<std::string> columns; // current #Fields order ("" before any header)

    std::uint64_t below(std::uint64_t n) { return rng() % n; }
    bool chance(unsigned percent) { return below(100) < percent; }

    std::string v4() {
        return std::to_string(below(256)) + "." + std::to_string(below(256)) + "." + std::to_string(below(256)) + "." +
               std::to_string(below(256));
    }
    std::string v6() {
        char buf[64];
        switch (below(3)) {
        case 0:
            std::snprintf(buf, sizeof buf, "fe80::%llx:%llx:%llx:%llx", static_cast<unsigned long long>(below(65536)),
                          static_cast<unsigned long long>(below(65536)), static_cast<unsigned long long>(below(65536)),
                          static_cast<unsigned long long>(below(65536)));
            return buf;
        case 1: return "ff02::" + std::to_string(below(10) + 1);
        default:
            std::snprintf(buf, sizeof buf, "2001:db8:%llx:%llx:%llx:%llx:%llx:%llx",
                          static_cast<unsigned long long>(below(65536)), static_cast<unsigned long long>(below(65536)),
                          static_cast<unsigned long long>(below(65536)), static_cast<unsigned long long>(below(65536)),
                          static_cast<unsigned long long>(below(65536)), static_cast<unsigned long long>(below(65536)));
            return buf;
        }
    }
    std::string num(std::uint64_t n) { return chance(5) ? "-" : std::to_string(below(n)); }

    std::map<std::string, std::string> values() {
        std::map<std::string, std::string> v;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", 2019 + static_cast<int>(below(8)), 1 + static_cast<int>(below(12)),
                      1 + static_cast<int>(below(28)));
        v["date"] = buf;
        std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(below(24)), static_cast<int>(below(60)),
                      static_cast<int>(below(60)));
        v["time"] = buf;
        static const char *actions[] = {"DROP", "DROP", "DROP", "ALLOW", "ALLOW", "INFO-EVENTS-LOST", "OPEN", "CLOSE", "OPEN-INBOUND", "REJECT", "drop"};
        v["action"] = actions[below(std::size(actions))];
        static const char *protocols[] = {"TCP", "TCP", "UDP", "UDP", "ICMP", "2", "ICMPv6", "58", "-", "XTP", "udp", "47"};
        v["protocol"] = protocols[below(std::size(protocols))];
        bool six = chance(15);
        v["src-ip"] = chance(2) ? "-" : six ? v6() : v4();
        v["dst-ip"] = chance(2) ? "-" : six ? v6() : v4();
        v["src-port"] = num(65536);
        v["dst-port"] = chance(5) ? "49154" : num(65536);
        v["size"] = num(1500);
        static const char *flags[] = {"-", "S", "A", "AP", "FA", "SA", "R", "FPU"};
        v["tcpflags"] = flags[below(std::size(flags))];
        v["tcpsyn"] = num(4294967296ull);
        v["tcpack"] = num(4294967296ull);
        v["tcpwin"] = num(65536);
        v["icmptype"] = num(256);
        v["icmpcode"] = num(16);
        v["info"] = num(1000);
        static const char *paths[] = {"RECEIVE", "RECEIVE", "SEND", "-", "FORWARD", "UNKNOWN"};
        v["path"] = paths[below(std::size(paths))];
        v["pid"] = num(70000);
        v["extra"] = "x" + std::to_string(below(9));
        return v;
    }

    std::string eol() { return chance(80) ? "\r\n" : "\n"; }
    std::string sep() { return chance(3) ? "  " : " "; }

    std::string header() {
        switch (below(4)) {
        case 0: columns.assign(std_names, std_names + 17); break;
        case 1: columns.assign(std_names, std_names + 18); break;
        case 2: // another order with an unknown column
            columns.assign(std_names, std_names + 18);
            std::shuffle(columns.begin(), columns.end(), rng);
            columns.insert(columns.begin() + static_cast<long>(below(columns.size())), "extra");
            break;
        default: columns.assign(std_names, std_names + 17); std::swap(columns[4], columns[5]); break;
        }
        std::string s = "#Fields:";
        for (auto &c : columns) s += " " + c;
        return s + eol();
    }

    std::string line() {
        auto v = values();
        std::string s;
        const std::vector<std::string> &cols = columns;
        for (std::size_t i = 0; i < cols.size(); ++i) {
            if (i) s += sep();
            s += v[cols[i]];
        }
        return s;
    }

    // The whole file.
    std::string file(std::size_t target) {
        std::string out;
        if (chance(50)) {
            out += "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n";
            out += header() + "\r\n";
        } else {
            columns.assign(std_names, std_names + (chance(50) ? 17 : 18));
        }
        while (out.size() < target) {
            auto r = below(1000);
            if (r < 2) out += header();
            else if (r < 6) out += eol();                                       // blank
            else if (r < 8) out += "# comment" + eol();
            else if (r < 12) {                                                   // garbage bytes
                std::string g;
                for (auto n = below(80); n > 0; --n) {
                    char c = static_cast<char>(below(256));
                    if (c != '\n' && c != '\0') g += c;
                }
                out += g + eol();
            } else if (r < 14) out += std::string(below(300) + 1, '\0');        // NUL padding
            else if (r < 16) {                                                  // a line cut short by NULs
                auto l = line();
                out += l.substr(0, below(l.size())) + std::string(below(40) + 1, '\0');
            } else if (r < 20) {                                                // one field fewer
                auto l = line();
                out += l.substr(0, l.rfind(' ')) + eol();
            } else if (r < 22) out += "2023-02-30 10:00:00 DROP TCP 10.0.0.1 10.0.0.2 1 2 3 S 1 1 1 - - - RECEIVE" + eol();
            else out += line() + eol();
        }
        out += line().substr(0, 40); // an incomplete last line
        return out;
    }
};

// ---- reference parser ---------------------------------------------------------

struct expected {
    std::vector<fw_record> records;
    std::uint64_t skipped = 0;
    std::uint64_t lines = 0;
    std::uint64_t nuls = 0;
};

bool ref_number(const std::string &s, long long max, std::int64_t &out) {
    if (s == "-") return out = FW_ABSENT, true;
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18) return false;
    long long v = std::strtoll(s.c_str(), nullptr, 10);
    if (v > max) return false;
    out = v;
    return true;
}

bool ref_addr(const std::string &s, fw_addr &out) {
    out = fw_addr{};
    if (s == "-") return true;
    if (s.find(':') != std::string::npos) {
        out.family = FW_AF_INET6;
        return inet_pton(AF_INET6, s.c_str(), out.bytes) == 1;
    }
    out.family = FW_AF_INET;
    return inet_pton(AF_INET, s.c_str(), out.bytes) == 1;
}

bool ref_time(const std::string &date, const std::string &time, std::int64_t &out) {
    if (date == "-" && time == "-") return out = FW_NO_TIME, true;
    int y, mo, d, h, mi, s;
    char tail;
    if (std::sscanf(date.c_str(), "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3) return false;
    if (std::sscanf(time.c_str(), "%2d:%2d:%2d%c", &h, &mi, &s, &tail) != 3) return false;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    std::tm copy = tm;
    out = static_cast<std::int64_t>(timegm(&tm));
    // timegm normalises 2023-02-30 to March: that is a bad date.
    return tm.tm_mday == copy.tm_mday && tm.tm_mon == copy.tm_mon && h < 24 && mi < 60 && s < 60;
}

expected reference(const std::string &text) {
    expected e;
    std::map<std::string, int> layout; // column -> index
    std::size_t fields = 0;
    bool header = false;
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (text[pos] == '\0') {
            ++e.nuls;
            ++pos;
            continue;
        }
        std::size_t end = text.find_first_of(std::string("\n\0", 2), pos);
        if (end == std::string::npos) break; // incomplete last line
        bool newline = text[end] == '\n';
        std::uint64_t this_line = line_no + 1;
        if (newline) ++line_no;
        std::string l = text.substr(pos, end - pos);
        std::uint64_t offset = pos;
        pos = end + (newline ? 1 : 0);
        ++e.lines;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        if (l.empty()) continue;
        if (l[0] == '#') {
            if (l.rfind("#Fields:", 0) == 0) {
                layout.clear();
                std::vector<std::string> names;
                std::size_t i = 8;
                while (i < l.size()) {
                    while (i < l.size() && l[i] == ' ') ++i;
                    std::size_t j = l.find(' ', i);
                    if (j == std::string::npos) j = l.size();
                    if (j > i) names.push_back(l.substr(i, j - i));
                    i = j;
                }
                for (std::size_t k = 0; k < names.size(); ++k) layout[names[k]] = static_cast<int>(k);
                fields = names.size();
                header = true;
            }
            continue;
        }
        std::vector<std::string> tok;
        std::size_t i = 0;
        while (i < l.size()) {
            while (i < l.size() && l[i] == ' ') ++i;
            std::size_t j = l.find(' ', i);
            if (j == std::string::npos) j = l.size();
            if (j > i) tok.push_back(l.substr(i, j - i));
            i = j;
        }
        std::map<std::string, int> lay = layout;
        if (!header) {
            if (tok.size() != 17 && tok.size() != 18) {
                ++e.skipped;
                continue;
            }
            lay.clear();
            for (std::size_t k = 0; k < tok.size(); ++k) lay[std_names[k]] = static_cast<int>(k);
        } else if (tok.size() != fields) {
            ++e.skipped;
            continue;
        }
        auto get = [&](const char *name) -> std::string {
            auto it = lay.find(name);
            return it == lay.end() ? "-" : tok[static_cast<std::size_t>(it->second)];
        };
        fw_record r{};
        r.offset = offset;
        r.line = this_line;
        bool ok = ref_time(get("date"), get("time"), r.time);
        std::string a = get("action");
        for (auto &c : a) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        r.action = a == "DROP" ? FW_ACTION_DROP : a == "ALLOW" ? FW_ACTION_ALLOW : a == "INFO-EVENTS-LOST" ? FW_ACTION_INFO_EVENTS_LOST
                 : a == "OPEN" ? FW_ACTION_OPEN : a == "OPEN-INBOUND" ? FW_ACTION_OPEN_INBOUND : a == "CLOSE" ? FW_ACTION_CLOSE : FW_ACTION_OTHER;
        std::string p = get("protocol");
        for (auto &c : p) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        std::int64_t pn = 0;
        if (p == "TCP") r.protocol = 6;
        else if (p == "UDP") r.protocol = 17;
        else if (p == "ICMP") r.protocol = 1;
        else if (p == "ICMPV6") r.protocol = 58;
        else if (p == "-") r.protocol = FW_ABSENT;
        else if (ref_number(p, 255, pn)) r.protocol = static_cast<std::int16_t>(pn);
        else r.protocol = FW_PROTOCOL_OTHER;
        ok = ok && ref_addr(get("src-ip"), r.src) && ref_addr(get("dst-ip"), r.dst);
        std::int64_t v = 0;
        ok = ok && ref_number(get("src-port"), 65535, v) && ((r.src_port = static_cast<std::int32_t>(v)), true);
        ok = ok && ref_number(get("dst-port"), 65535, v) && ((r.dst_port = static_cast<std::int32_t>(v)), true);
        ok = ok && ref_number(get("size"), INT64_MAX, r.size);
        std::string fl = get("tcpflags");
        if (fl != "-") std::snprintf(r.tcp_flags, sizeof r.tcp_flags, "%s", fl.c_str());
        ok = ok && ref_number(get("tcpsyn"), INT64_MAX, r.tcp_syn) && ref_number(get("tcpack"), INT64_MAX, r.tcp_ack);
        ok = ok && ref_number(get("tcpwin"), INT32_MAX, v) && ((r.tcp_win = static_cast<std::int32_t>(v)), true);
        ok = ok && ref_number(get("icmptype"), 32767, v) && ((r.icmp_type = static_cast<std::int16_t>(v)), true);
        ok = ok && ref_number(get("icmpcode"), 32767, v) && ((r.icmp_code = static_cast<std::int16_t>(v)), true);
        ok = ok && ref_number(get("info"), INT64_MAX, r.info) && ref_number(get("pid"), INT64_MAX, r.pid);
        std::string path = get("path");
        r.path = path == "RECEIVE" ? FW_PATH_RECEIVE : path == "SEND" ? FW_PATH_SEND : path == "-" ? FW_PATH_NONE
               : path == "FORWARD" ? FW_PATH_FORWARD : path == "UNKNOWN" ? FW_PATH_UNKNOWN : FW_PATH_OTHER;
        if (!ok) {
            ++e.skipped;
            continue;
        }
        e.records.push_back(r);
    }
    return e;
}

void compare(const fw_record &got, const fw_record &want, std::uint64_t base, unsigned scale) {
    CAPTURE(want.line);
    CHECK(got.line == want.line);
    CHECK(got.offset == base + scale * want.offset);
    CHECK(got.time == want.time);
    CHECK(got.action == want.action);
    CHECK(got.protocol == want.protocol);
    CHECK(addr_text(got.src) == addr_text(want.src));
    CHECK(addr_text(got.dst) == addr_text(want.dst));
    CHECK(got.src_port == want.src_port);
    CHECK(got.dst_port == want.dst_port);
    CHECK(got.size == want.size);
    CHECK(std::string(got.tcp_flags) == std::string(want.tcp_flags));
    CHECK(got.tcp_syn == want.tcp_syn);
    CHECK(got.tcp_ack == want.tcp_ack);
    CHECK(got.tcp_win == want.tcp_win);
    CHECK(got.icmp_type == want.icmp_type);
    CHECK(got.icmp_code == want.icmp_code);
    CHECK(got.info == want.info);
    CHECK(got.path == want.path);
    CHECK(got.pid == want.pid);
}

// Compare only the first mismatch in detail; CHECK on millions of fields is slow.
void compare_all(const std::vector<fw_record> &got, const std::vector<fw_record> &want, std::uint64_t base, unsigned scale) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        fw_record w = want[i];
        w.offset = base + scale * w.offset;
        if (std::memcmp(&got[i], &w, sizeof w) != 0) {
            compare(got[i], want[i], base, scale);
            FAIL("record " << i << " differs");
        }
    }
}

} // namespace

TEST_CASE("fw::log reader agrees with a reference parser on a generated log", "[log][generated]") {
    generator gen;
    const std::string text = gen.file(6u << 20);
    const expected want = reference(text);
    REQUIRE(want.records.size() > 40000);
    REQUIRE(want.skipped > 100);
    temp_file f(text);

    SECTION("UTF-8, no filter") {
        auto r = read_all(f.path());
        REQUIRE(r.open_rc == FW_OK);
        compare_all(r.records, want.records, 0, 1);
        CHECK(r.stats.skipped == want.skipped);
        CHECK(r.stats.records == want.records.size());
        CHECK(r.stats.lines == want.lines);
        CHECK(r.stats.nul_bytes == want.nuls);
        CHECK(r.stats.partial_tail == 1);
    }
    SECTION("UTF-16LE: the same records, offsets into the UTF-16 file") {
        temp_file wide(to_utf16le(text));
        auto r = read_all(wide.path());
        REQUIRE(r.open_rc == FW_OK);
        CHECK(r.stats.encoding == FW_ENC_UTF16LE);
        compare_all(r.records, want.records, 2, 2);
        CHECK(r.stats.skipped == want.skipped);
        CHECK(r.stats.partial_tail == 1);
    }
    SECTION("filters agree with the typed records") {
        filter f1{{FW_FILTER_ACTION, "Drop"}, {FW_FILTER_PROTOCOL, "TCP"}, {FW_FILTER_DST_PORT, "49154"}};
        filter f2{{FW_FILTER_SRC_ADDRESS, "fe80::/10"}, {FW_FILTER_DIRECTION, "Inbound"}};
        filter f3{{FW_FILTER_DST_ADDRESS, "0.0.0.0-127.255.255.255"}, {FW_FILTER_SRC_PORT, "1024-65535"},
                  {FW_FILTER_PROTOCOL, "udp"}, {FW_FILTER_PROTOCOL, "2"}};
        filter f4;
        f4.time(1640995200 /* 2022-01-01 */, 1672531200 /* 2023-01-01 */);
        f4.add(FW_FILTER_ACTION, "Allow");
        auto pred1 = [](const fw_record &r) {
            return r.action == FW_ACTION_DROP && r.protocol == 6 && r.dst_port == 49154;
        };
        auto pred2 = [](const fw_record &r) {
            return r.src.family == FW_AF_INET6 && r.src.bytes[0] == 0xfe && (r.src.bytes[1] & 0xc0) == 0x80 &&
                   r.path == FW_PATH_RECEIVE;
        };
        auto pred3 = [](const fw_record &r) {
            return r.dst.family == FW_AF_INET && r.dst.bytes[0] < 128 && r.src_port >= 1024 &&
                   (r.protocol == 17 || r.protocol == 2);
        };
        auto pred4 = [](const fw_record &r) {
            return r.action == FW_ACTION_ALLOW && r.time != FW_NO_TIME && r.time >= 1640995200 && r.time < 1672531200;
        };
        struct run {
            const filter *f;
            bool (*pred)(const fw_record &);
        } runs[] = {{&f1, pred1}, {&f2, pred2}, {&f3, pred3}, {&f4, pred4}};
        for (auto &[flt, pred] : runs) {
            std::vector<fw_record> subset;
            for (auto &rec : want.records)
                if (pred(rec)) subset.push_back(rec);
            REQUIRE(!subset.empty());
            auto r = read_all(f.path(), flt->get(), 1000);
            compare_all(r.records, subset, 0, 1);
            CHECK(r.stats.matched == subset.size());
        }
    }
}
