// C ABI of the rules component (fw/rules.h).
#include <fw/rules.h>

#include "abi/error.hpp"
#include "abi/handles.hpp"
#include "net/address.hpp"
#include "rules/index.hpp"
#include "rules/match.hpp"
#include "rules/ruleset.hpp"
#include "io/file.hpp"
#include "win/indirect_string.hpp"
#include "win/log_policy.hpp"

#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <span>
#include <mutex>
#include <string>
#include <vector>

// The text of one rule as handed out by fw_ruleset_get. Copied once per rule and
// kept until fw_ruleset_free, so the pointers stay valid while rules are added.
namespace {

struct rule_texts {
    std::string name, display_name, description, group, program, service, package, protocol, local_ports,
        remote_ports, local_addresses, remote_addresses, icmp_types, interface_types, interfaces, security,
        remote_machine_auth, remote_user_auth, local_user_auth, local_user_owner, other_tokens, unknown_tokens, raw,
        source;
};

std::unique_ptr<rule_texts> make_texts(const fw::rules::rule &r) {
    using namespace fw::rules;
    auto t = std::make_unique<rule_texts>();
    t->name = r.name;
    t->display_name = r.display_name;
    t->description = r.description;
    t->group = r.group;
    t->program = r.app;
    t->service = r.svc;
    t->package = r.package;
    t->protocol = protocol_text(r.protocol);
    t->local_ports = ports_text(r.local_ports);
    t->remote_ports = ports_text(r.remote_ports);
    t->local_addresses = addresses_text(r.local_addresses);
    t->remote_addresses = addresses_text(r.remote_addresses);
    t->icmp_types = icmp_text(r.icmp);
    t->interface_types = interface_types_text(r.interface_types);
    for (const auto &i : r.interfaces) {
        if (!t->interfaces.empty()) t->interfaces += ',';
        t->interfaces += i;
    }
    t->security = security_text(r.security);
    t->remote_machine_auth = r.remote_machine_auth;
    t->remote_user_auth = r.remote_user_auth;
    t->local_user_auth = r.local_user_auth;
    t->local_user_owner = r.local_user_owner;
    std::vector<token> other = r.other;
    for (const auto &d : r.dynamic_targets) other.push_back({"TTK", d});
    t->other_tokens = tokens_text(other);
    t->unknown_tokens = tokens_text(r.unknown);
    t->raw = r.raw;
    t->source = r.source;
    return t;
}

bool valid_store(int store) { return store >= FW_STORE_UNSPECIFIED && store <= FW_STORE_OTHER; }

} // namespace

struct fw_ruleset {
    fw::rules::ruleset set;
    std::vector<std::unique_ptr<rule_texts>> texts; // by rule index, filled on first fw_ruleset_get
    // The index and the flow cache of fw_ruleset_evaluate: built on the first evaluation,
    // dropped when a rule is added. The lock lets threads share a const set.
    mutable std::mutex eval_lock;
    mutable std::unique_ptr<fw::rules::evaluator> eval;
    void changed() {
        std::lock_guard lock(eval_lock);
        eval.reset();
    }
};

// An evaluation shares the answer the evaluator cached and the rules it was made from
// (not the rule set), and makes the texts of listed rules when they are asked for.
struct fw_evaluation {
    std::shared_ptr<const fw::rules::flow_answer> ev;
    std::shared_ptr<const fw::rules::rule_index> index;
    fw::rules::packet packet;
    uint32_t profiles = 0;
    // Texts of listed results, made when fw_evaluation_rule is first asked for each (most
    // callers of a batch read the verdict only: nothing is allocated for them).
    mutable std::unique_ptr<std::string[]> texts;
};

const fw::rules::ruleset &fw::abi::rules_of(const fw_ruleset &rs) noexcept { return rs.set; }

extern "C" {

FW_API(int) fw_ruleset_new(fw_ruleset **out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_ruleset_new: out is NULL");
        *out = nullptr;
        *out = std::make_unique<fw_ruleset>().release();
        return FW_OK;
    });
}

FW_API(int) fw_ruleset_add(fw_ruleset *rs, const char *name, const char *rule_string, int store) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(rs != nullptr, "fw_ruleset_add: rs is NULL");
        FW_CHECK_ARG(rule_string != nullptr, "fw_ruleset_add: rule_string is NULL");
        FW_CHECK_ARG(valid_store(store), "fw_ruleset_add: store is not a fw_rule_store value");
        auto origin = store == FW_STORE_UNSPECIFIED ? fw::rules::store::other : static_cast<fw::rules::store>(store);
        rs->set.add(name ? name : "", rule_string, origin);
        rs->changed();
        return FW_OK;
    });
}

FW_API(int) fw_ruleset_load_file(fw_ruleset *rs, const char *path, int store, size_t *added) {
    return fw::abi::guard([&]() -> int {
        if (added) *added = 0;
        FW_CHECK_ARG(rs != nullptr, "fw_ruleset_load_file: rs is NULL");
        FW_CHECK_ARG(path != nullptr && *path != '\0', "fw_ruleset_load_file: path is NULL or empty");
        FW_CHECK_ARG(valid_store(store), "fw_ruleset_load_file: store is not a fw_rule_store value");
        auto n = fw::rules::load_file(rs->set, path, static_cast<fw::rules::store>(store));
        rs->changed();
        if (added) *added = n;
        return FW_OK;
    });
}

FW_API(int) fw_ruleset_load_registry(fw_ruleset *rs, int store, size_t *added) {
    return fw::abi::guard([&]() -> int {
        if (added) *added = 0;
        FW_CHECK_ARG(rs != nullptr, "fw_ruleset_load_registry: rs is NULL");
        FW_CHECK_ARG(store == FW_STORE_LOCAL || store == FW_STORE_GROUP_POLICY,
                     "fw_ruleset_load_registry: store must be FW_STORE_LOCAL or FW_STORE_GROUP_POLICY");
        auto n = fw::rules::load_registry(rs->set, static_cast<fw::rules::store>(store));
        rs->changed();
        if (added) *added = n;
        return FW_OK;
    });
}

FW_API(int) fw_ruleset_set_local_merge(fw_ruleset *rs, uint32_t profiles) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(rs != nullptr, "fw_ruleset_set_local_merge: rs is NULL");
        FW_CHECK_ARG((profiles & ~static_cast<uint32_t>(FW_PROFILE_ALL)) == 0,
                     "fw_ruleset_set_local_merge: profiles is not a fw_profile mask");
        rs->set.set_local_merge(static_cast<std::uint8_t>(profiles));
        rs->changed(); // the index holds copies of the rules
        return FW_OK;
    });
}

FW_API(int) fw_ruleset_local_merge(const fw_ruleset *rs, uint32_t *profiles) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(profiles != nullptr, "fw_ruleset_local_merge: profiles is NULL");
        *profiles = 0;
        FW_CHECK_ARG(rs != nullptr, "fw_ruleset_local_merge: rs is NULL");
        *profiles = rs->set.local_merge();
        return FW_OK;
    });
}

FW_API(int) fw_local_merge_read(uint32_t *profiles) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(profiles != nullptr, "fw_local_merge_read: profiles is NULL");
        *profiles = FW_PROFILE_ALL;
        *profiles = fw::win::resolve_local_merge(*fw::win::registry_source());
        return FW_OK;
    });
}

FW_API(int) fw_local_merge_load_reg(const char *path, uint32_t *profiles) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(profiles != nullptr, "fw_local_merge_load_reg: profiles is NULL");
        *profiles = FW_PROFILE_ALL;
        FW_CHECK_ARG(path != nullptr && *path != '\0', "fw_local_merge_load_reg: path is NULL or empty");
        const std::string bytes = fw::io::read_whole_file(path, "a .reg export");
        const std::string text = fw::rules::decode_text(std::as_bytes(std::span<const char>(bytes)));
        try {
            *profiles = fw::win::resolve_local_merge(*fw::win::reg_export_source(text));
        } catch (const fw::error &e) {
            if (e.code() != FW_EFORMAT) throw;
            throw fw::error(e.code(), e.klass(), fmt::format("'{}': {}", path, e.what()), 0, e.line());
        }
        return FW_OK;
    });
}

FW_API(size_t) fw_ruleset_count(const fw_ruleset *rs) { return rs ? rs->set.size() : 0; }

FW_API(int) fw_ruleset_get(fw_ruleset *rs, size_t index, fw_rule_info *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_ruleset_get: out is NULL");
        *out = fw_rule_info{};
        FW_CHECK_ARG(rs != nullptr, "fw_ruleset_get: rs is NULL");
        if (index >= rs->set.size()) return FW_ITEROVER;
        if (rs->texts.size() < rs->set.size()) rs->texts.resize(rs->set.size());
        const auto &r = rs->set[index];
        auto &slot = rs->texts[index];
        if (!slot) slot = make_texts(r);
        const auto &t = *slot;
        out->name = t.name.c_str();
        out->display_name = t.display_name.c_str();
        out->description = t.description.c_str();
        out->group = t.group.c_str();
        out->program = t.program.c_str();
        out->service = t.service.c_str();
        out->package = t.package.c_str();
        out->protocol = t.protocol.c_str();
        out->local_ports = t.local_ports.c_str();
        out->remote_ports = t.remote_ports.c_str();
        out->local_addresses = t.local_addresses.c_str();
        out->remote_addresses = t.remote_addresses.c_str();
        out->icmp_types = t.icmp_types.c_str();
        out->interface_types = t.interface_types.c_str();
        out->interfaces = t.interfaces.c_str();
        out->security = t.security.c_str();
        out->remote_machine_auth = t.remote_machine_auth.c_str();
        out->remote_user_auth = t.remote_user_auth.c_str();
        out->local_user_auth = t.local_user_auth.c_str();
        out->local_user_owner = t.local_user_owner.c_str();
        out->other_tokens = t.other_tokens.c_str();
        out->unknown_tokens = t.unknown_tokens.c_str();
        out->raw = t.raw.c_str();
        out->source = t.source.c_str();
        out->line = r.line;
        out->protocol_number = r.protocol;
        out->direction = static_cast<int>(r.dir);
        out->action = static_cast<int>(r.act);
        out->store = static_cast<int>(r.origin);
        out->profiles = r.profiles;
        std::uint32_t flags = 0;
        if (r.active) flags |= FW_RULE_ENABLED;
        if (r.display_name_indirect()) flags |= FW_RULE_NAME_INDIRECT;
        if (r.description_indirect()) flags |= FW_RULE_DESC_INDIRECT;
        if (r.group_indirect()) flags |= FW_RULE_GROUP_INDIRECT;
        if (r.edge) flags |= FW_RULE_EDGE;
        if (r.defer_to == fw::rules::defer::app) flags |= FW_RULE_DEFER_APP;
        if (r.defer_to == fw::rules::defer::user) flags |= FW_RULE_DEFER_USER;
        if (r.profile_given) flags |= FW_RULE_PROFILE_GIVEN;
        out->flags = flags;
        out->local_port_keywords = r.local_ports.keywords;
        out->remote_port_keywords = r.remote_ports.keywords;
        out->version_major = r.version_major;
        out->version_minor = r.version_minor;
        return FW_OK;
    });
}

FW_API(int) fw_ruleset_diagnostic(const fw_ruleset *rs, size_t index, fw_rule_diagnostic *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_ruleset_diagnostic: out is NULL");
        *out = fw_rule_diagnostic{"", "", "", 0, 0};
        FW_CHECK_ARG(rs != nullptr, "fw_ruleset_diagnostic: rs is NULL");
        auto diags = rs->set.diagnostics();
        if (index >= diags.size()) return FW_ITEROVER;
        const auto &d = diags[index];
        out->name = d.name.c_str();
        out->source = d.source.c_str();
        out->message = d.message.c_str();
        out->line = d.line;
        out->column = d.column;
        return FW_OK;
    });
}

FW_API(void) fw_ruleset_free(fw_ruleset *rs) { std::unique_ptr<fw_ruleset> owned(rs); }

FW_API(int) fw_ruleset_evaluate(fw_evaluation **out, const fw_ruleset *rs, const fw_packet *packet, unsigned flags) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_ruleset_evaluate: out is NULL");
        *out = nullptr;
        FW_CHECK_ARG(rs != nullptr, "fw_ruleset_evaluate: rs is NULL");
        FW_CHECK_ARG(packet != nullptr, "fw_ruleset_evaluate: packet is NULL");
        FW_CHECK_ARG((flags & ~FW_EVAL_ALL_RULES) == 0, "fw_ruleset_evaluate: unknown flags");
        FW_CHECK_ARG(packet->direction >= FW_DIR_ANY && packet->direction <= FW_DIR_OUTBOUND,
                     "fw_ruleset_evaluate: direction is not a fw_direction value");
        FW_CHECK_ARG(packet->protocol >= -1 && packet->protocol <= 255, "fw_ruleset_evaluate: protocol is not -1..255");
        FW_CHECK_ARG(packet->local_port >= -1 && packet->local_port <= 65535 && packet->remote_port >= -1 &&
                         packet->remote_port <= 65535,
                     "fw_ruleset_evaluate: a port is not -1..65535");
        FW_CHECK_ARG((packet->profiles & ~static_cast<uint32_t>(FW_PROFILE_ALL)) == 0,
                     "fw_ruleset_evaluate: profiles is not a fw_profile mask");
        auto family_ok = [](const fw_addr &a) {
            return a.family == FW_AF_NONE || a.family == FW_AF_INET || a.family == FW_AF_INET6;
        };
        FW_CHECK_ARG(family_ok(packet->local) && family_ok(packet->remote),
                     "fw_ruleset_evaluate: an address family is not FW_AF_NONE, FW_AF_INET or FW_AF_INET6");
        fw::rules::packet p;
        p.dir = packet->direction;
        p.protocol = packet->protocol;
        p.local = fw::net::from_abi(packet->local);
        p.remote = fw::net::from_abi(packet->remote);
        p.local_port = packet->local_port;
        p.remote_port = packet->remote_port;
        p.icmp_type = packet->icmp_type < -1 ? std::int16_t{-1} : packet->icmp_type;
        p.icmp_code = packet->icmp_code < -1 ? std::int16_t{-1} : packet->icmp_code;
        auto level = (flags & FW_EVAL_ALL_RULES) ? fw::rules::detail::all : fw::rules::detail::relevant;
        auto ev = std::make_unique<fw_evaluation>();
        {
            std::lock_guard lock(rs->eval_lock);
            if (!rs->eval)
                rs->eval = std::make_unique<fw::rules::evaluator>(
                    std::make_shared<const fw::rules::rule_index>(rs->set.rules()));
            ev->ev = rs->eval->evaluate(p, packet->profiles, level);
            ev->index = rs->eval->index();
        }
        ev->packet = p;
        ev->profiles = packet->profiles;
        *out = ev.release();
        return FW_OK;
    });
}

FW_API(int) fw_evaluation_get(const fw_evaluation *ev, fw_evaluation_info *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_evaluation_get: out is NULL");
        *out = fw_evaluation_info{0, "", 0};
        FW_CHECK_ARG(ev != nullptr, "fw_evaluation_get: ev is NULL");
        out->verdict = static_cast<int>(ev->ev->result);
        out->explanation = ev->ev->explanation().c_str();
        out->count = ev->ev->rules.size();
        return FW_OK;
    });
}

FW_API(int) fw_evaluation_rule(const fw_evaluation *ev, size_t index, fw_rule_result *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_evaluation_rule: out is NULL");
        *out = fw_rule_result{0, 0, 0, 0, 0, 0, ""};
        FW_CHECK_ARG(ev != nullptr, "fw_evaluation_rule: ev is NULL");
        if (index >= ev->ev->rules.size()) return FW_ITEROVER;
        const auto &r = ev->ev->rules[index];
        if (!ev->texts) ev->texts = std::make_unique<std::string[]>(ev->ev->rules.size());
        auto &text = ev->texts[index];
        if (text.empty()) text = fw::rules::rule_text(ev->index->rules()[r.index], ev->packet, ev->profiles);
        out->index = r.index;
        out->applies = static_cast<int>(r.how);
        out->reason = static_cast<int>(r.why);
        out->conditions = r.conditions;
        out->enabled = r.enabled ? 1 : 0;
        out->deciding = index < ev->ev->deciding ? 1 : 0; // the deciding results come first
        out->text = text.c_str();
        return FW_OK;
    });
}

FW_API(void) fw_evaluation_free(fw_evaluation *ev) { std::unique_ptr<fw_evaluation> owned(ev); }

FW_API(int) fw_indirect_string_resolve(const char *text, char *out, size_t out_size, size_t *needed) {
    if (needed != nullptr) *needed = 0;
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(text != nullptr, "fw_indirect_string_resolve: text is NULL");
        FW_CHECK_ARG(out != nullptr || out_size == 0, "fw_indirect_string_resolve: out is NULL but out_size is not 0");
        if (out_size > 0) out[0] = '\0';
        const std::string_view source(text);
        if (!fw::win::is_indirect_string(source))
            fw::fail_invalid(fmt::format("'{}' is not an indirect string (it does not start with '@')", source));
        if (fw::win::names_remote_file(source))
            throw fw::error(FW_ENOTFOUND, FW_ERRCLASS_ARGUMENT,
                            fmt::format("'{}' is not resolved: it names a file on another computer, which Fw never "
                                        "loads to show a rule's name",
                                        source));
        auto resolved = fw::win::resolve_indirect_string(source);
#ifdef _WIN32
        constexpr const char *why = "its DLL or string id is not on this computer";
#else
        constexpr const char *why = "indirect strings need Windows";
#endif
        if (!resolved) throw fw::error(FW_ENOTFOUND, FW_ERRCLASS_OS, fmt::format("'{}' cannot be resolved: {}", source, why));
        if (needed != nullptr) *needed = resolved->size() + 1;
        if (out_size < resolved->size() + 1) return FW_EBUFS;
        std::memcpy(out, resolved->c_str(), resolved->size() + 1);
        return FW_OK;
    });
}

FW_API(const char *) fw_verdict_name(int verdict) {
    if (verdict < 0 || verdict > FW_VERDICT_UNDECIDABLE) return "Unknown";
    return fw::rules::verdict_name(static_cast<fw::rules::verdict>(verdict));
}

FW_API(const char *) fw_rule_reason_name(int reason) {
    if (reason < 0 || reason > FW_REASON_LOCAL_NOT_MERGED) return "Unknown";
    return fw::rules::reason_name(static_cast<fw::rules::reason>(reason));
}

} // extern "C"
