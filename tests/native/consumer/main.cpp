// A C++ user of an installed fwcore: the C header works from C++ (extern "C").
#include <fw/fw.h>

#include <cstdio>
#include <memory>

int main() {
    fw_ruleset *raw = nullptr;
    if (fw_ruleset_new(&raw) != FW_OK) return 1;
    std::unique_ptr<fw_ruleset, decltype(&fw_ruleset_free)> rules(raw, &fw_ruleset_free);
    if (fw_ruleset_add(rules.get(), "web", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=443|", FW_STORE_OTHER) !=
        FW_OK) {
        std::fprintf(stderr, "fw_ruleset_add: %s\n", fw_error_last()->message);
        return 1;
    }
    if (fw_ruleset_count(rules.get()) != 1) return 1;
    std::printf("fw_consumer_cxx: fwcore %s, %zu rule\n", fw_version(), fw_ruleset_count(rules.get()));
    return 0;
}
