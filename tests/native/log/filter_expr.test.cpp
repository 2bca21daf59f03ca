// Filter expressions (fw_filter_set_expr): hostile programs are refused, the
// raw evaluation in the reader agrees with the typed one, the .NET address text.
#include "log/filter_expr.hpp"
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace fw_test;

namespace {

const std::string sample = std::string(FW_TEST_DATA_DIR) + "/log/formats-section7.log";

// A program being built, as the module's compiler builds one.
struct program {
    std::vector<fw_expr_node> nodes;
    std::vector<std::uint32_t> children;
    std::vector<std::int64_t> numbers;
    std::vector<fw_addr> addresses;
    std::vector<unsigned char> text;

    std::uint32_t add(fw_expr_node n) {
        nodes.push_back(n);
        return static_cast<std::uint32_t>(nodes.size() - 1);
    }
    std::uint32_t numbers_leaf(std::uint32_t field, std::vector<std::pair<std::int64_t, std::int64_t>> ranges,
                               bool absent_passes = false) {
        auto first = static_cast<std::uint32_t>(numbers.size());
        for (auto [lo, hi] : ranges) {
            numbers.push_back(lo);
            numbers.push_back(hi);
        }
        return add({FW_EXPR_NUMBERS, field, absent_passes ? FW_EXPR_ABSENT_PASSES : 0u, first,
                    static_cast<std::uint32_t>(ranges.size())});
    }
    std::uint32_t codes_leaf(std::uint32_t field, std::vector<int> codes) {
        auto first = static_cast<std::uint32_t>(numbers.size());
        std::uint32_t words = field == FW_EXPR_PROTOCOL ? 5 : 1;
        numbers.resize(numbers.size() + words, 0);
        for (int c : codes) numbers[first + static_cast<std::uint32_t>(c) / 64] |= std::int64_t{1} << (c % 64);
        return add({FW_EXPR_CODES, field, 0, first, words});
    }
    std::uint32_t address_leaf(std::uint32_t field, std::vector<std::pair<std::string, std::string>> ranges,
                               bool absent_passes = false) {
        auto first = static_cast<std::uint32_t>(addresses.size());
        for (auto &[lo, hi] : ranges) {
            addresses.push_back(fw::net::to_abi(*fw::net::parse_ip(lo)));
            addresses.push_back(fw::net::to_abi(*fw::net::parse_ip(hi)));
        }
        return add({FW_EXPR_ADDRESSES, field, absent_passes ? FW_EXPR_ABSENT_PASSES : 0u, first,
                    static_cast<std::uint32_t>(ranges.size())});
    }
    // A glob: '*' any run, '?' any one character, other characters themselves, ASCII case ignored.
    std::uint32_t text_leaf(std::uint32_t field, std::string_view glob, bool absent_passes = false) {
        auto first = static_cast<std::uint32_t>(text.size());
        for (char c : glob) {
            unsigned char tok[FW_EXPR_TOKEN_SIZE] = {};
            tok[0] = c == '*' ? FW_EXPR_TOKEN_ANY_RUN : FW_EXPR_TOKEN_ONE;
            auto set = [&](unsigned char ch) { tok[1 + ch / 8] |= static_cast<unsigned char>(1u << (ch % 8)); };
            if (c == '?') {
                for (int ch = 0; ch < 256; ++ch) set(static_cast<unsigned char>(ch));
            } else if (c != '*') {
                set(static_cast<unsigned char>(std::tolower(c)));
                set(static_cast<unsigned char>(std::toupper(c)));
            }
            text.insert(text.end(), tok, tok + FW_EXPR_TOKEN_SIZE);
        }
        return add({FW_EXPR_TEXT, field, absent_passes ? FW_EXPR_ABSENT_PASSES : 0u, first,
                    static_cast<std::uint32_t>(glob.size())});
    }
    // An AND/OR/NOT node at index `at` (reserved before its children) over kids.
    void inner(std::uint32_t at, std::uint32_t kind, const std::vector<std::uint32_t> &kids) {
        nodes[at] = {kind, 0, 0, static_cast<std::uint32_t>(children.size()), static_cast<std::uint32_t>(kids.size())};
        children.insert(children.end(), kids.begin(), kids.end());
    }
    std::uint32_t reserve() { return add({}); }

    [[nodiscard]] fw_expr view() const {
        return {FW_EXPR_VERSION,  nodes.data(),  nodes.size(),     children.data(), children.size(),
                numbers.data(),   numbers.size(), addresses.data(), addresses.size(), text.data(),
                text.size()};
    }
};

std::vector<std::uint64_t> lines_with(const program &p) {
    filter f;
    auto e = p.view();
    REQUIRE(fw_filter_set_expr(const_cast<fw_filter *>(f.get()), &e) == FW_OK);
    auto r = read_all(sample, f.get());
    REQUIRE(r.open_rc == FW_OK);
    std::vector<std::uint64_t> out;
    for (auto &rec : r.records) out.push_back(rec.line);
    return out;
}

std::vector<std::uint64_t> lines_with(const filter &f) {
    std::vector<std::uint64_t> out;
    for (auto &rec : read_all(sample, f.get()).records) out.push_back(rec.line);
    return out;
}

int set_expr(const fw_expr &e) {
    fw_filter *f = nullptr;
    REQUIRE(fw_filter_new(&f) == FW_OK);
    int rc = fw_filter_set_expr(f, &e);
    fw_filter_free(f);
    return rc;
}

} // namespace

TEST_CASE("fw::log expr: leaves agree with the column filters", "[log][filter][expr]") {
    {
        program p;
        p.numbers_leaf(FW_EXPR_DST_PORT, {{445, 445}});
        CHECK(lines_with(p) == lines_with(filter{{FW_FILTER_DST_PORT, "445"}}));
    }
    {
        program p; // TCP and destination port 445
        auto root = p.reserve();
        auto a = p.codes_leaf(FW_EXPR_PROTOCOL, {6});
        auto b = p.numbers_leaf(FW_EXPR_DST_PORT, {{445, 445}});
        p.inner(root, FW_EXPR_AND, {a, b});
        CHECK(lines_with(p) == lines_with(filter{{FW_FILTER_PROTOCOL, "TCP"}, {FW_FILTER_DST_PORT, "445"}}));
    }
    {
        program p;
        p.address_leaf(FW_EXPR_SRC_ADDRESS, {{"192.168.122.0", "192.168.122.255"}});
        CHECK(lines_with(p) == lines_with(filter{{FW_FILTER_SRC_ADDRESS, "192.168.122.0/24"}}));
    }
    {
        program p;
        p.codes_leaf(FW_EXPR_ACTION, {FW_ACTION_CLOSE, FW_ACTION_INFO_EVENTS_LOST});
        CHECK(lines_with(p) == lines_with(filter{{FW_FILTER_ACTION, "Close"}, {FW_FILTER_ACTION, "Info-Events-Lost"}}));
    }
    {
        program p; // outbound = local address is the source
        p.codes_leaf(FW_EXPR_PATH, {FW_PATH_SEND});
        CHECK(lines_with(p) == lines_with(filter{{FW_FILTER_DIRECTION, "Outbound"}}));
    }
}

TEST_CASE("fw::log expr: absent values, derived fields, text", "[log][filter][expr]") {
    {
        program p; // source port absent (ICMP, INFO-EVENTS-LOST, ...) passes
        p.numbers_leaf(FW_EXPR_SRC_PORT, {}, true);
        CHECK(lines_with(p) == std::vector<std::uint64_t>{16, 28});
    }
    {
        program p; // NOT(src port in 0..65535) is the same set
        auto root = p.reserve();
        auto a = p.numbers_leaf(FW_EXPR_SRC_PORT, {{0, 65535}});
        p.inner(root, FW_EXPR_NOT, {a});
        CHECK(lines_with(p) == std::vector<std::uint64_t>{16, 28});
    }
    {
        program p; // local port of outbound lines is the source port
        p.numbers_leaf(FW_EXPR_LOCAL_PORT, {{50941, 50942}});
        CHECK(lines_with(p) == std::vector<std::uint64_t>{34, 35});
    }
    {
        program p; // remote address of inbound lines is the source address
        p.address_leaf(FW_EXPR_REMOTE_ADDRESS, {{"fe80::", "fe80::ffff:ffff:ffff:ffff"}});
        CHECK(lines_with(p) == std::vector<std::uint64_t>{41, 43, 44});
    }
    {
        program p;
        p.text_leaf(FW_EXPR_SRC_ADDRESS, "192.168.12?.*");
        CHECK(lines_with(p) == lines_with(filter{{FW_FILTER_SRC_ADDRESS, "192.168.122.0/24"}}));
    }
    {
        program p; // IPv6 text as .NET writes it
        p.text_leaf(FW_EXPR_SRC_ADDRESS, "FE80::3680:DFF:FE01:9*");
        CHECK(lines_with(p) == std::vector<std::uint64_t>{41, 43});
    }
    {
        program p;
        p.text_leaf(FW_EXPR_TCP_FLAGS, "a*");
        CHECK(lines_with(p) == std::vector<std::uint64_t>{11, 12});
    }
    {
        program p; // decimal text of a number
        p.text_leaf(FW_EXPR_DST_PORT, "33*0");
        CHECK(lines_with(p) == std::vector<std::uint64_t>{29, 30});
    }
    {
        program p; // pid column absent in the 17-column part
        p.numbers_leaf(FW_EXPR_PID, {{0, INT64_MAX}});
        CHECK(lines_with(p) == std::vector<std::uint64_t>{47, 49, 50});
    }
    {
        program p; // an empty OR is false, an empty AND true
        auto root = p.reserve();
        auto o = p.reserve();
        p.inner(o, FW_EXPR_OR, {});
        p.inner(root, FW_EXPR_NOT, {o});
        CHECK(lines_with(p).size() == 34);
    }
}

TEST_CASE("fw::log expr: .NET address text", "[log][filter][expr]") {
    // What [ipaddress]::Parse(x).ToString() gives in pwsh 7.6.
    auto [in, expected] = GENERATE(values<std::pair<const char *, const char *>>({
        {"192.168.0.1", "192.168.0.1"},
        {"::1", "::1"},
        {"::", "::"},
        {"::1.2.3.4", "::1.2.3.4"},
        {"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
        {"::ffff:0:1.2.3.4", "::ffff:0:1.2.3.4"},
        {"fe80::5efe:1.2.3.4", "fe80::5efe:1.2.3.4"},
        {"fe80::5efe:0:0", "fe80::5efe:0.0.0.0"},
        {"1:0:0:1:0:0:0:1", "1:0:0:1::1"},
        {"1:0:0:0:1:0:0:1", "1::1:0:0:1"},
        {"1::", "1::"},
        {"0:0:0:0:0:5efe:0:0", "::5efe:0.0.0.0"},
        {"::0.0.1.0", "::100"},
        {"::0:1:2", "::0.1.0.2"},
        {"0:0:0:0:1:ffff:102:304", "::1:ffff:102:304"},
        {"::ffff:0:0", "::ffff:0:0"},
        {"::ffff:0:1", "::ffff:0:1"},
        {"1:2:3:4:0:5efe:0:0", "1:2:3:4:0:5efe:0.0.0.0"},
        {"1:0:0:0:0:5efe:0:0", "1::5efe:0.0.0.0"},
        {"0:0:1:0:0:0:0:0", "0:0:1::"},
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
        {"fe80::3680:dff:fe01:9e88", "fe80::3680:dff:fe01:9e88"},
    }));
    CAPTURE(in);
    char buf[48];
    auto n = fw::log::filter_expr::dotnet_text(fw::net::to_abi(*fw::net::parse_ip(in)), buf);
    CHECK(std::string(buf, n) == expected);
}

namespace {

// A random tree over every leaf kind and field.
struct random_program {
    std::mt19937_64 &rng;
    program p;
    int leaves = 0;

    std::int64_t pick(std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    }
    std::uint32_t leaf() {
        ++leaves;
        static const std::uint32_t number_fields[] = {
            FW_EXPR_SRC_PORT, FW_EXPR_DST_PORT,   FW_EXPR_SIZE,      FW_EXPR_TCP_SYN,    FW_EXPR_TCP_ACK,
            FW_EXPR_TCP_WINDOW, FW_EXPR_ICMP_TYPE, FW_EXPR_ICMP_CODE, FW_EXPR_INFO,       FW_EXPR_PID,
            FW_EXPR_LOCAL_PORT, FW_EXPR_REMOTE_PORT};
        static const std::uint32_t address_fields[] = {FW_EXPR_SRC_ADDRESS, FW_EXPR_DST_ADDRESS,
                                                       FW_EXPR_LOCAL_ADDRESS, FW_EXPR_REMOTE_ADDRESS};
        static const char *globs[] = {"*", "1*", "*5", "?", "4?5", "*.*", "fe80*", "*:*", "S", "a?", "*1*2*", ""};
        bool absent = pick(0, 1) == 1;
        switch (pick(0, 4)) {
        case 0: {
            auto f = number_fields[pick(0, 11)];
            std::int64_t a = pick(0, 1) ? pick(0, 70000) : pick(0, 5000000000LL);
            std::int64_t b = a + pick(0, 3) * pick(0, 40000);
            return p.numbers_leaf(f, {{a, b}}, absent);
        }
        case 1: {
            // seconds: around the sample's dates
            std::int64_t a = pick(1100000000, 1800000000);
            return p.numbers_leaf(FW_EXPR_TIME, {{a, a + pick(0, 400000000)}}, absent);
        }
        case 2: {
            auto f = static_cast<std::uint32_t>(pick(0, 2));
            std::uint32_t field = f == 0 ? FW_EXPR_ACTION : f == 1 ? FW_EXPR_PATH : FW_EXPR_PROTOCOL;
            int range = field == FW_EXPR_PROTOCOL ? 257 : field == FW_EXPR_ACTION ? 6 : 5;
            std::vector<int> codes;
            for (int k = 0, n = static_cast<int>(pick(0, 3)); k < n; ++k) codes.push_back(static_cast<int>(pick(0, range)));
            if (field == FW_EXPR_PROTOCOL && pick(0, 1)) codes.push_back(static_cast<int>(pick(0, 1)) ? 6 : 17);
            return p.codes_leaf(field, codes);
        }
        case 3: {
            auto f = address_fields[pick(0, 3)];
            if (pick(0, 1)) return p.address_leaf(f, {{"192.168.0.0", "192.168.255.255"}, {"10.0.0.0", "10.255.255.255"}}, absent);
            return p.address_leaf(f, {{"fe80::", "fe80::ffff:ffff:ffff:ffff"}}, absent);
        }
        default: {
            std::uint32_t fields[] = {FW_EXPR_TCP_FLAGS, FW_EXPR_SRC_ADDRESS, FW_EXPR_DST_PORT, FW_EXPR_SIZE,
                                      FW_EXPR_REMOTE_ADDRESS, FW_EXPR_PID};
            return p.text_leaf(fields[pick(0, 5)], globs[pick(0, 11)], absent);
        }
        }
    }
    std::uint32_t tree(int depth) {
        if (depth == 0 || pick(0, 2) == 0) return leaf();
        auto at = p.reserve();
        auto kind = static_cast<std::uint32_t>(pick(FW_EXPR_AND, FW_EXPR_NOT));
        std::vector<std::uint32_t> kids;
        int n = kind == FW_EXPR_NOT ? 1 : static_cast<int>(pick(0, 3));
        for (int k = 0; k < n; ++k) kids.push_back(tree(depth - 1));
        p.inner(at, kind, kids);
        return at;
    }
};

} // namespace

TEST_CASE("fw::log expr: raw evaluation equals typed evaluation on random programs", "[log][filter][expr]") {
    // Every record, typed, once.
    auto all = read_all(sample);
    REQUIRE(all.records.size() == 34);
    std::mt19937_64 rng(20240611);
    int nonempty = 0, partial = 0;
    for (int iter = 0; iter < 400; ++iter) {
        random_program gen{rng};
        gen.tree(4);
        auto e = gen.p.view();
        auto x = fw::log::filter_expr::from_abi(e);
        std::vector<std::uint64_t> expected;
        for (auto &r : all.records)
            if (x.matches(r)) expected.push_back(r.line);
        CAPTURE(iter);
        auto got = lines_with(gen.p);
        REQUIRE(got == expected);
        if (!got.empty()) ++nonempty;
        if (!got.empty() && got.size() < all.records.size()) ++partial;
    }
    // The generator is not degenerate: many programs select some records but not all.
    CHECK(nonempty > 100);
    CHECK(partial > 100);
}

TEST_CASE("fw::log expr: a malformed field the expression reads skips the line", "[log][filter][expr]") {
    temp_file log("2024-01-01 10:00:00 DROP TCP 10.0.0.1 10.0.0.2 1 99999 40 S 1 0 0 - - - RECEIVE\n"
                  "2024-01-01 10:00:00 DROP TCP 10.0.0.1 10.0.0.2 1 80 40 S 1 0 0 - - - RECEIVE\n");
    program p;
    p.numbers_leaf(FW_EXPR_DST_PORT, {{80, 80}});
    filter f;
    auto e = p.view();
    REQUIRE(fw_filter_set_expr(const_cast<fw_filter *>(f.get()), &e) == FW_OK);
    auto r = read_all(log.path(), f.get());
    REQUIRE(r.records.size() == 1);
    CHECK(r.records[0].line == 2);
    CHECK(r.stats.skipped == 1);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].second.find("dst-port") != std::string::npos);
}

TEST_CASE("fw::log expr: hostile programs are FW_EINVALID", "[log][filter][expr][abi]") {
    auto leaf = [](program &p) { return p.numbers_leaf(FW_EXPR_DST_PORT, {{1, 2}}); };
    SECTION("argument checks") {
        program p;
        leaf(p);
        auto e = p.view();
        CHECK(fw_filter_set_expr(nullptr, &e) == FW_EINVALID);
        fw_filter *f = nullptr;
        REQUIRE(fw_filter_new(&f) == FW_OK);
        CHECK(fw_filter_set_expr(f, nullptr) == FW_OK); // removes
        e.version = 99;
        CHECK(fw_filter_set_expr(f, &e) == FW_EINVALID);
        CHECK(std::string(fw_error_last()->message).find("version") != std::string::npos);
        e = p.view();
        e.nodes = nullptr;
        CHECK(fw_filter_set_expr(f, &e) == FW_EINVALID);
        e = p.view();
        e.node_count = 0;
        CHECK(fw_filter_set_expr(f, &e) == FW_EINVALID);
        e = p.view();
        e.node_count = FW_EXPR_MAX_NODES + 1;
        CHECK(fw_filter_set_expr(f, &e) == FW_EINVALID);
        e = p.view();
        e.numbers = nullptr;
        CHECK(fw_filter_set_expr(f, &e) == FW_EINVALID);
        e = p.view();
        e.number_count = SIZE_MAX;
        CHECK(fw_filter_set_expr(f, &e) == FW_EINVALID);
        fw_filter_free(f);
    }
    SECTION("child index out of range") {
        program p;
        auto r = p.reserve();
        auto a = leaf(p);
        p.inner(r, FW_EXPR_AND, {a});
        p.children[0] = 7;
        CHECK(set_expr(p.view()) == FW_EINVALID);
        CHECK(std::string(fw_error_last()->message).find("out of range") != std::string::npos);
    }
    SECTION("cycles: a child that points back") {
        program p;
        auto r = p.reserve();
        auto a = p.reserve();
        auto b = leaf(p);
        p.inner(r, FW_EXPR_AND, {a});
        p.inner(a, FW_EXPR_OR, {b});
        p.children.back() = r; // a's child is the root
        CHECK(set_expr(p.view()) == FW_EINVALID);
        p.children.back() = a; // a is its own child
        CHECK(set_expr(p.view()) == FW_EINVALID);
    }
    SECTION("shared node and orphan") {
        program p;
        auto r = p.reserve();
        auto a = leaf(p);
        leaf(p); // node 2: an orphan
        p.inner(r, FW_EXPR_AND, {a, a});
        CHECK(set_expr(p.view()) == FW_EINVALID);
        CHECK(std::string(fw_error_last()->message).find("more than one parent") != std::string::npos);
        p.children = {a};
        p.nodes[r].count = 1;
        p.children.push_back(0); // keep child_count = node_count - 1
        CHECK(set_expr(p.view()) == FW_EINVALID);
    }
    SECTION("depth") {
        auto chain = [&](int nots) {
            program p;
            for (int i = 0; i < nots; ++i) p.reserve();
            leaf(p);
            for (int i = 0; i < nots; ++i) p.inner(static_cast<std::uint32_t>(i), FW_EXPR_NOT, {static_cast<std::uint32_t>(i + 1)});
            return p;
        };
        CHECK(set_expr(chain(FW_EXPR_MAX_DEPTH - 1).view()) == FW_OK);
        CHECK(set_expr(chain(FW_EXPR_MAX_DEPTH).view()) == FW_EINVALID);
        CHECK(std::string(fw_error_last()->message).find("deeper") != std::string::npos);
        CHECK(set_expr(chain(5000).view()) == FW_EINVALID);
    }
    SECTION("unknown kinds, fields, flags; mismatches") {
        auto bad_node = [&](fw_expr_node n) {
            program p;
            leaf(p);
            p.numbers.resize(16, 0);
            p.text.resize(FW_EXPR_TOKEN_SIZE, 0);
            p.addresses.resize(2, fw::net::to_abi(*fw::net::parse_ip("10.0.0.1")));
            p.nodes[0] = n;
            return set_expr(p.view());
        };
        CHECK(bad_node({0, FW_EXPR_DST_PORT, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({8, FW_EXPR_DST_PORT, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NUMBERS, 0, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NUMBERS, 22, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NUMBERS, FW_EXPR_DST_PORT, 4, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NUMBERS, FW_EXPR_ACTION, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NUMBERS, FW_EXPR_TCP_FLAGS, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_CODES, FW_EXPR_DST_PORT, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_CODES, FW_EXPR_PROTOCOL, 0, 0, 1}) == FW_EINVALID); // needs 5 words
        CHECK(bad_node({FW_EXPR_CODES, FW_EXPR_PROTOCOL, 0, 0, 5}) == FW_OK);
        CHECK(bad_node({FW_EXPR_CODES, FW_EXPR_ACTION, FW_EXPR_ABSENT_PASSES, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_ADDRESSES, FW_EXPR_SIZE, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_ADDRESSES, FW_EXPR_SRC_ADDRESS, 0, 0, 1}) == FW_OK);
        CHECK(bad_node({FW_EXPR_ADDRESSES, FW_EXPR_SRC_ADDRESS, 0, 1, 1}) == FW_EINVALID); // past the end
        CHECK(bad_node({FW_EXPR_TEXT, FW_EXPR_PATH, 0, 0, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_TEXT, FW_EXPR_TCP_FLAGS, 0, 0, 1}) == FW_OK);
        CHECK(bad_node({FW_EXPR_TEXT, FW_EXPR_TCP_FLAGS, 0, 0, 2}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_TEXT, FW_EXPR_TCP_FLAGS, 0, 1, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NUMBERS, FW_EXPR_DST_PORT, 0, 0xffffffffu, 2}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NUMBERS, FW_EXPR_DST_PORT, 0, 15, 1}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NUMBERS, FW_EXPR_DST_PORT, 0, 0, 0x80000001u}) == FW_EINVALID);
        CHECK(bad_node({FW_EXPR_NOT, 0, 0, 0, 1}) == FW_EINVALID); // child_count 0
        CHECK(bad_node({FW_EXPR_AND, FW_EXPR_DST_PORT, 0, 0, 0}) == FW_EINVALID);
    }
    SECTION("bad constants") {
        program p;
        p.numbers_leaf(FW_EXPR_DST_PORT, {{5, 4}});
        CHECK(set_expr(p.view()) == FW_EINVALID);
        program q;
        q.address_leaf(FW_EXPR_SRC_ADDRESS, {{"10.0.0.1", "::1"}});
        CHECK(set_expr(q.view()) == FW_EINVALID);
        program r;
        r.address_leaf(FW_EXPR_SRC_ADDRESS, {{"10.0.0.9", "10.0.0.1"}});
        CHECK(set_expr(r.view()) == FW_EINVALID);
        program s;
        s.text_leaf(FW_EXPR_TCP_FLAGS, "S");
        s.text[0] = 7;
        CHECK(set_expr(s.view()) == FW_EINVALID);
        CHECK(std::string(fw_error_last()->message).find("unknown kind") != std::string::npos);
    }
    SECTION("a refused program leaves the filter as it was") {
        program good;
        good.numbers_leaf(FW_EXPR_DST_PORT, {{445, 445}});
        filter f;
        auto e = good.view();
        REQUIRE(fw_filter_set_expr(const_cast<fw_filter *>(f.get()), &e) == FW_OK);
        program bad;
        bad.numbers_leaf(FW_EXPR_DST_PORT, {{9, 1}});
        auto eb = bad.view();
        CHECK(fw_filter_set_expr(const_cast<fw_filter *>(f.get()), &eb) == FW_EINVALID);
        CHECK(lines_with(f) == lines_with(filter{{FW_FILTER_DST_PORT, "445"}}));
    }
}

TEST_CASE("fw::log expr: random bytes as a program never crash", "[log][filter][expr][abi]") {
    std::mt19937_64 rng(7);
    int accepted = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        auto small = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
        std::vector<fw_expr_node> nodes(1 + small(6));
        for (auto &n : nodes) n = {small(9), small(23), small(3), small(12), small(7)};
        std::vector<std::uint32_t> children(nodes.size() - 1);
        for (auto &c : children) c = small(static_cast<std::uint32_t>(nodes.size()) + 1);
        std::vector<std::int64_t> numbers(small(12));
        for (auto &v : numbers) v = static_cast<std::int64_t>(rng() % 100000);
        std::vector<fw_addr> addresses(small(6));
        for (auto &a : addresses) {
            a = fw_addr{};
            a.family = small(2) ? FW_AF_INET : FW_AF_INET6;
            a.bytes[0] = static_cast<std::uint8_t>(rng());
        }
        std::vector<unsigned char> text(small(4 * FW_EXPR_TOKEN_SIZE));
        for (auto &t : text) t = static_cast<unsigned char>(small(3));
        fw_expr e{FW_EXPR_VERSION, nodes.data(), nodes.size(), children.data(), children.size(), numbers.data(),
                  numbers.size(), addresses.data(), addresses.size(), text.data(), text.size()};
        filter f;
        int rc = fw_filter_set_expr(const_cast<fw_filter *>(f.get()), &e);
        REQUIRE((rc == FW_OK || rc == FW_EINVALID));
        if (rc == FW_OK) {
            ++accepted;
            REQUIRE(read_all(sample, f.get()).open_rc == FW_OK);
        }
    }
    CHECK(accepted > 0);
}
