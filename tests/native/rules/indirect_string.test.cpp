// fw_indirect_string_resolve: argument checks everywhere; off Windows every indirect string is unresolved
// (FW_ENOTFOUND, saying so), which is what lets the module keep the raw text and mark it unresolved.
#include <fw/rules.h>

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("fw_indirect_string_resolve arguments", "[rules][indirect][abi]") {
    char out[64] = "x";
    size_t needed = 99;
    CHECK(fw_indirect_string_resolve(nullptr, out, sizeof out, &needed) == FW_EINVALID);
    CHECK(needed == 0);
    CHECK(fw_indirect_string_resolve("@FirewallAPI.dll,-28775", nullptr, 10, nullptr) == FW_EINVALID);
    CHECK(fw_indirect_string_resolve("Remote Desktop", out, sizeof out, &needed) == FW_EINVALID);
    CHECK(std::string(fw_error_last()->message).find("'Remote Desktop' is not an indirect string") != std::string::npos);
    CHECK(out[0] == '\0');
    CHECK(fw_indirect_string_resolve("", out, sizeof out, nullptr) == FW_EINVALID);
}

#ifndef _WIN32
TEST_CASE("fw_indirect_string_resolve off Windows: unresolved, and says why", "[rules][indirect][abi]") {
    char out[64] = "x";
    size_t needed = 99;
    CHECK(fw_indirect_string_resolve("@FirewallAPI.dll,-28775", out, sizeof out, &needed) == FW_ENOTFOUND);
    CHECK(needed == 0);
    CHECK(out[0] == '\0');
    CHECK(std::string(fw_error_last()->message) == "'@FirewallAPI.dll,-28775' cannot be resolved: indirect strings need Windows");
    CHECK(fw_indirect_string_resolve("@FirewallAPI.dll,-28775", nullptr, 0, nullptr) == FW_ENOTFOUND);
}
#endif
