// C ABI of the rule synthesiser (fw/synth.h).
#include "abi/error.hpp"
#include "abi/handles.hpp"
#include "rules/ruleset.hpp"
#include "synth/existing.hpp"
#include "synth/synth.hpp"

#include <fw/rules.h>
#include <fw/synth.h>

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

struct fw_synth {
    fw::synth::synthesizer s;
    bool ran = false;
};

extern "C" {

FW_API(int) fw_synth_new(fw_synth **out, const fw_synth_options *opts) {
    if (out != nullptr) *out = nullptr;
    return fw::abi::guard([&] {
        FW_CHECK_ARG(out != nullptr, "fw_synth_new: out is NULL");
        fw::synth::options o;
        if (opts != nullptr) {
            if (opts->version != FW_SYNTH_OPTIONS_VERSION)
                fw::fail_invalid(fmt::format("fw_synth_options.version is {}, this library knows version {}",
                                             opts->version, FW_SYNTH_OPTIONS_VERSION));
            FW_CHECK_ARG(opts->scope != nullptr || opts->scope_count == 0,
                         "fw_synth_options.scope is NULL but scope_count is not 0");
            for (size_t i = 0; i < opts->scope_count; ++i) {
                if (opts->scope[i] == nullptr) fw::fail_invalid(fmt::format("scope entry {} is NULL", i));
                o.scope.push_back(fw::synth::parse_scope_entry(opts->scope[i]));
            }
            o.merge_ports = opts->merge_ports != 0;
            o.use_rpc_keyword = opts->use_rpc_keyword != 0;
            o.profile = opts->profile;
        }
        auto s = std::make_unique<fw_synth>(fw_synth{fw::synth::synthesizer(std::move(o)), false});
        *out = s.release();
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_synth_add_drops(fw_synth *synth, const fw_synth_drop *drops, size_t count) {
    return fw::abi::guard([&] {
        FW_CHECK_ARG(synth != nullptr, "fw_synth_add_drops: synth is NULL");
        FW_CHECK_ARG(drops != nullptr || count == 0, "fw_synth_add_drops: drops is NULL");
        synth->s.add(drops, count);
        synth->ran = false;
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_synth_add_valid_drops(fw_synth *synth, const fw_synth_drop *drops, size_t count, int *results) {
    return fw::abi::guard([&] {
        FW_CHECK_ARG(synth != nullptr, "fw_synth_add_valid_drops: synth is NULL");
        FW_CHECK_ARG(drops != nullptr || count == 0, "fw_synth_add_valid_drops: drops is NULL");
        std::string first;
        const auto rejected = synth->s.add_valid(drops, count, results, &first);
        synth->ran = false;
        if (rejected > 0)
            fw::fail_invalid(fmt::format("{} ({} of {} drop(s) skipped, the others added)", first, rejected, count));
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_synth_drop_check(const fw_synth_drop *drop) {
    return fw::abi::guard([&] {
        FW_CHECK_ARG(drop != nullptr, "fw_synth_drop_check: drop is NULL");
        if (auto p = fw::synth::problem(*drop); !p.empty()) fw::fail_invalid(p);
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_synth_set_existing(fw_synth *synth, fw_ruleset *rules) {
    return fw::abi::guard([&] {
        FW_CHECK_ARG(synth != nullptr, "fw_synth_set_existing: synth is NULL");
        synth->ran = false;
        if (rules == nullptr) {
            synth->s.set_existing(std::nullopt);
            return static_cast<int>(FW_OK);
        }
        // The parsed rules, copied: the caller may free the ruleset afterwards.
        auto copy = std::make_shared<const fw::rules::ruleset>(fw::abi::rules_of(*rules));
        synth->s.set_existing(fw::synth::existing_from(std::move(copy)));
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_synth_run(fw_synth *synth, size_t *count) {
    if (count != nullptr) *count = 0;
    return fw::abi::guard([&] {
        FW_CHECK_ARG(synth != nullptr, "fw_synth_run: synth is NULL");
        FW_CHECK_ARG(count != nullptr, "fw_synth_run: count is NULL");
        *count = synth->s.run().size();
        synth->ran = true;
        return static_cast<int>(FW_OK);
    });
}

FW_API(int) fw_synth_candidate_get(const fw_synth *synth, size_t index, fw_synth_candidate *out) {
    return fw::abi::guard([&] {
        FW_CHECK_ARG(synth != nullptr, "fw_synth_candidate_get: synth is NULL");
        FW_CHECK_ARG(out != nullptr, "fw_synth_candidate_get: out is NULL");
        FW_CHECK_ARG(synth->ran, "fw_synth_candidate_get: call fw_synth_run first (drops or rules changed since)");
        const auto &cs = synth->s.candidates();
        if (index >= cs.size()) return static_cast<int>(FW_ITEROVER);
        const auto &c = cs[index];
        fw_synth_candidate v{};
        v.status = c.status;
        v.flags = c.flags;
        v.direction = c.direction;
        v.protocol = c.protocol;
        const bool numbered = c.kind == fw::synth::port_kind::number;
        v.port_lo = numbered ? c.ports.lo : -1;
        v.port_hi = numbered ? c.ports.hi : -1;
        v.profile = c.profile;
        v.hits = c.hits;
        v.remote_seen_count = c.remotes_seen.size();
        v.first_seen = c.first_seen;
        v.last_seen = c.last_seen;
        v.name = c.name.c_str();
        v.protocol_text = c.protocol_text.c_str();
        v.port = c.port_text.c_str();
        v.icmp_type = c.icmp_text.c_str();
        v.remote_address = c.remote_address.c_str();
        v.remote_seen = c.remote_seen.c_str();
        v.rule = c.rule.c_str();
        v.rule_string = c.rule_string.c_str();
        *out = v;
        return static_cast<int>(FW_OK);
    });
}

FW_API(void) fw_synth_free(fw_synth *synth) { std::unique_ptr<fw_synth> owned(synth); }

} // extern "C"
