// fw::summary::counter against a plain std::map over random records: every key
// kind, one-word keys (built in a register) and longer ones (packed bytes), any
// split into batches, and parts counted apart (as a parallel read's workers do),
// merged and reused after clear(): always the same groups.
#include "summary/summary.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using fw::summary::counter;

fw_addr address(std::mt19937_64 &rng) {
    fw_addr a{};
    switch (rng() % 4) {
    case 0: break; // absent
    case 1:
    case 2:
        a.family = FW_AF_INET;
        a.bytes[0] = 10;
        a.bytes[3] = static_cast<std::uint8_t>(rng() % 5);
        break;
    default:
        a.family = FW_AF_INET6;
        a.bytes[0] = 0xfe;
        a.bytes[1] = 0x80;
        a.bytes[15] = static_cast<std::uint8_t>(rng() % 3);
        break;
    }
    return a;
}

fw_record random_record(std::mt19937_64 &rng) {
    fw_record r{};
    auto pick = [&](std::initializer_list<std::int64_t> values) { return *(values.begin() + rng() % values.size()); };
    r.time = rng() % 10 == 0 ? FW_NO_TIME : 1700000000 + static_cast<std::int64_t>(rng() % 20000) - 10000;
    r.action = static_cast<std::uint8_t>(rng() % 5);
    r.protocol = static_cast<std::int16_t>(pick({6, 17, 1, 58, FW_ABSENT, FW_PROTOCOL_OTHER}));
    r.src = address(rng);
    r.dst = address(rng);
    r.src_port = static_cast<std::int32_t>(pick({FW_ABSENT, 0, 53, 49154, 65535, 1024 + static_cast<std::int64_t>(rng() % 40)}));
    r.dst_port = static_cast<std::int32_t>(pick({FW_ABSENT, 80, 443, 49154, 1024 + static_cast<std::int64_t>(rng() % 40)}));
    r.size = pick({FW_ABSENT, 0, 40, 1500});
    r.icmp_type = static_cast<std::int16_t>(pick({FW_ABSENT, 0, 8, 3}));
    r.path = static_cast<std::uint8_t>(rng() % 6);
    r.pid = pick({FW_ABSENT, 4, 1234, 99999});
    return r;
}

// The key as the reference sees it: the values of the key fields, local/remote by the path.
std::string reference_key(const fw_record &r, const std::vector<int> &keys) {
    const bool in = r.path == FW_PATH_RECEIVE, out = r.path == FW_PATH_SEND;
    auto addr = [](const fw_addr *a) {
        if (a == nullptr || a->family == FW_AF_NONE) return std::string("-");
        std::string s = std::to_string(a->family) + ":";
        for (auto b : a->bytes) s += fmt::format("{:02x}", b);
        return s;
    };
    auto hour = [](std::int64_t t) {
        if (t == FW_NO_TIME) return t;
        std::int64_t rem = t % 3600;
        return t - (rem < 0 ? rem + 3600 : rem);
    };
    std::string k;
    for (int key : keys) {
        switch (key) {
        case FW_KEY_ACTION: k += fmt::format("a{}", r.action); break;
        case FW_KEY_PROTOCOL: k += fmt::format("p{}", r.protocol); break;
        case FW_KEY_SRC_ADDRESS: k += "s" + addr(&r.src); break;
        case FW_KEY_DST_ADDRESS: k += "d" + addr(&r.dst); break;
        case FW_KEY_SRC_PORT: k += fmt::format("sp{}", r.src_port); break;
        case FW_KEY_DST_PORT: k += fmt::format("dp{}", r.dst_port); break;
        case FW_KEY_DIRECTION: k += fmt::format("w{}", r.path); break;
        case FW_KEY_LOCAL_ADDRESS: k += "l" + addr(in ? &r.dst : out ? &r.src : nullptr); break;
        case FW_KEY_LOCAL_PORT: k += fmt::format("lp{}", in ? r.dst_port : out ? r.src_port : FW_ABSENT); break;
        case FW_KEY_REMOTE_ADDRESS: k += "r" + addr(in ? &r.src : out ? &r.dst : nullptr); break;
        case FW_KEY_REMOTE_PORT: k += fmt::format("rp{}", in ? r.src_port : out ? r.dst_port : FW_ABSENT); break;
        case FW_KEY_ICMP_TYPE: k += fmt::format("i{}", r.icmp_type); break;
        case FW_KEY_PID: k += fmt::format("pid{}", r.pid); break;
        case FW_KEY_HOUR: k += fmt::format("h{}", hour(r.time)); break;
        default: break;
        }
        k += '|';
    }
    return k;
}

// The same key, read back from a group (what the counter says the group is).
std::string group_key(const fw_summary_group &g, const std::vector<int> &keys) {
    fw_record r{};
    r.action = g.action;
    r.protocol = g.protocol;
    r.src = g.src;
    r.dst = g.dst;
    r.src_port = g.src_port;
    r.dst_port = g.dst_port;
    r.icmp_type = g.icmp_type;
    r.pid = g.pid;
    r.time = g.hour;
    // Local and remote are their own fields in a group: put them where the reference reads them.
    r.path = FW_PATH_RECEIVE;
    std::string k;
    for (int key : keys) {
        fw_record one = r;
        switch (key) {
        case FW_KEY_DIRECTION: k += fmt::format("w{}|", g.path); continue;
        case FW_KEY_LOCAL_ADDRESS: one.dst = g.local; break;
        case FW_KEY_LOCAL_PORT: one.dst_port = g.local_port; break;
        case FW_KEY_REMOTE_ADDRESS: one.src = g.remote; break;
        case FW_KEY_REMOTE_PORT: one.src_port = g.remote_port; break;
        default: break;
        }
        k += reference_key(one, {key});
    }
    return k;
}

struct totals {
    std::uint64_t count = 0;
    std::int64_t first = FW_NO_TIME, last = FW_NO_TIME, bytes = 0;
};

std::vector<fw_summary_group> ranked(counter &c) {
    std::vector<fw_summary_group> out;
    const std::size_t n = c.finish();
    for (std::size_t i = 0; i < n; ++i) out.push_back(c.group(i));
    return out;
}

bool same(const fw_summary_group &a, const fw_summary_group &b) { return std::memcmp(&a, &b, sizeof a) == 0; }

} // namespace

TEST_CASE("counter: random records, every key kind, batches and merged parts equal a std::map", "[summary][counter]") {
    const std::uint64_t seed = GENERATE(range(1, 41));
    std::mt19937_64 rng(seed);
    // 1..4 distinct keys; every fourth case Measure-FwDrop's default (a one-word key).
    std::vector<int> keys;
    if (seed % 4 == 0) {
        keys = {FW_KEY_DIRECTION, FW_KEY_PROTOCOL, FW_KEY_LOCAL_PORT};
    } else {
        const std::size_t n = 1 + rng() % 4;
        while (keys.size() < n) {
            const int k = 1 + static_cast<int>(rng() % 14);
            if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
        }
    }
    INFO("seed " << seed << ", keys " << fmt::format("{}", fmt::join(keys, ",")));
    std::vector<fw_record> records(2000 + rng() % 3000);
    for (auto &r : records) r = random_record(rng);

    std::map<std::string, totals> expected;
    for (const auto &r : records) {
        totals &t = expected[reference_key(r, keys)];
        ++t.count;
        if (r.time != FW_NO_TIME) {
            t.first = t.first == FW_NO_TIME ? r.time : std::min(t.first, r.time);
            t.last = t.last == FW_NO_TIME ? r.time : std::max(t.last, r.time);
        }
        if (r.size > 0) t.bytes += r.size;
    }

    // All at once, in random batches.
    counter whole(keys);
    for (std::size_t i = 0; i < records.size();) {
        const std::size_t n = std::min<std::size_t>(1 + rng() % 300, records.size() - i);
        whole.add({records.data() + i, n});
        i += n;
    }
    const auto groups = ranked(whole);
    REQUIRE(groups.size() == expected.size());
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto &g = groups[i];
        const auto it = expected.find(group_key(g, keys));
        REQUIRE(it != expected.end());
        CHECK(g.count == it->second.count);
        CHECK(g.first_time == it->second.first);
        CHECK(g.last_time == it->second.last);
        CHECK(g.bytes == it->second.bytes);
        if (i > 0) CHECK(groups[i - 1].count >= g.count);
    }

    // In parts counted apart and merged, a part reused after clear(): the same ranking, byte for byte.
    counter merged = whole.fresh();
    counter part = merged.fresh();
    for (std::size_t i = 0; i < records.size();) {
        const std::size_t n = std::min<std::size_t>(1 + rng() % 700, records.size() - i);
        part.add({records.data() + i, n});
        merged.merge(part);
        part.clear();
        i += n;
    }
    const auto again = ranked(merged);
    REQUIRE(again.size() == groups.size());
    for (std::size_t i = 0; i < groups.size(); ++i) CHECK(same(again[i], groups[i]));
    CHECK(part.size() == 0);
}
