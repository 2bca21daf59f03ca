// Helpers the matcher's tests share: an address, an inbound TCP packet, a listed rule by name.
#pragma once

#include "rules/match.hpp"

#include <catch2/catch.hpp>

#include <string_view>

namespace fw::rules::test {

inline fw::net::ip ip(const char *text) {
    auto a = fw::net::parse_ip(text);
    REQUIRE(a);
    return *a;
}

inline packet tcp_in(int port, const char *remote = "198.51.100.7", const char *local = "192.0.2.10") {
    packet p;
    p.dir = FW_DIR_INBOUND;
    p.protocol = 6;
    p.local = ip(local);
    p.remote = ip(remote);
    p.local_port = port;
    p.remote_port = 50123;
    return p;
}

// The listed result of the rule called name, or nullptr.
inline const listed_result *find(const evaluation &ev, const ruleset &rs, std::string_view name) {
    for (const auto &r : ev.rules)
        if (rs[r.index].name == name) return &r;
    return nullptr;
}

} // namespace fw::rules::test
