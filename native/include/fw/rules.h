/*
 * fw/rules.h - Windows Firewall rules: parsing the registry rule strings
 * ([MS-GPFAS] 2.2.2.19), loading them from .reg exports, text files and the
 * registry, and evaluating a packet (a log line) against them.
 *
 * Lifecycle:
 *   1. fw_ruleset_new
 *   2. fw_ruleset_add / fw_ruleset_load_file / fw_ruleset_load_registry (any number, any order)
 *   3. fw_ruleset_count + fw_ruleset_get, fw_ruleset_diagnostic
 *   4. fw_ruleset_evaluate -> fw_evaluation (fw_evaluation_get, fw_evaluation_rule, fw_evaluation_free)
 *   5. fw_ruleset_free
 */
#ifndef FW_RULES_H
#define FW_RULES_H

#include "common.h"

FW_BEGIN_DECL

/* Where a rule came from. */
typedef enum fw_rule_store {
    FW_STORE_UNSPECIFIED = 0, /* for fw_ruleset_load_file: infer from a .reg key path, else FW_STORE_FILE */
    FW_STORE_LOCAL = 1,        /* HKLM\SYSTEM\...\SharedAccess\Parameters\FirewallPolicy\FirewallRules */
    FW_STORE_GROUP_POLICY = 2, /* HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\FirewallRules */
    FW_STORE_FILE = 3,         /* a file that does not say which store */
    FW_STORE_OTHER = 4         /* strings handed in by the caller */
} fw_rule_store;

typedef enum fw_rule_action { FW_RULE_ALLOW = 0, FW_RULE_BLOCK = 1, FW_RULE_BYPASS = 2 } fw_rule_action;

/* fw_rule_info.flags */
#define FW_RULE_ENABLED 0x0001u          /* Active=TRUE (absent means disabled) */
#define FW_RULE_NAME_INDIRECT 0x0002u    /* display name is a resource string "@dll,-id" */
#define FW_RULE_DESC_INDIRECT 0x0004u
#define FW_RULE_GROUP_INDIRECT 0x0008u
#define FW_RULE_EDGE 0x0010u             /* Edge=TRUE */
#define FW_RULE_DEFER_APP 0x0020u        /* Defer=App */
#define FW_RULE_DEFER_USER 0x0040u       /* Defer=User */
#define FW_RULE_PROFILE_GIVEN 0x0080u    /* a Profile token was present */

#define FW_PROTOCOL_ANY 256

/* One rule, typed. Every pointer is borrowed from the ruleset, valid until
 * fw_ruleset_free, never NULL ("" when absent). Lists are comma-separated
 * canonical text; "Any" means no condition. */
typedef struct fw_rule_info {
    const char *name;             /* rule ID: the registry value name (or the name given to fw_ruleset_add) */
    const char *display_name;     /* Name= (may be indirect: "@FirewallAPI.dll,-28775") */
    const char *description;      /* Desc= */
    const char *group;            /* EmbedCtxt= */
    const char *program;          /* App= verbatim (environment variables unexpanded) */
    const char *service;          /* Svc= ("*" = any service) */
    const char *package;          /* AppPkgId= */
    const char *protocol;         /* "TCP", "UDP", "ICMPv4", "ICMPv6", "Any" or the number */
    const char *local_ports;      /* "RPC-EPMap,135,1000-2000" (keywords in registry spelling) or "Any" */
    const char *remote_ports;
    const char *local_addresses;  /* "LocalSubnet,192.168.1.0/24,10.0.0.1-10.0.0.9" or "Any" */
    const char *remote_addresses;
    const char *icmp_types;       /* "8:*,3:4" or "Any" */
    const char *interface_types;  /* "Lan, Wireless" or "Any" */
    const char *interfaces;       /* IF= GUIDs, comma-separated, "" if none */
    const char *security;         /* "Authenticate, An-NoEncap", "" if none */
    const char *remote_machine_auth; /* RMauth= SDDL, "" if none */
    const char *remote_user_auth;    /* RUAuth= SDDL */
    const char *local_user_auth;     /* LUAuth= SDDL */
    const char *local_user_owner;    /* LUOwn= SID */
    const char *other_tokens;     /* known tokens not modelled here, "Platform=2:6:2|NNm=x" */
    const char *unknown_tokens;   /* tokens this library does not know, same form */
    const char *raw;              /* the rule string as given */
    const char *source;           /* file path or registry key, "" for strings */
    uint64_t line;                /* line in the source file, 0 if none */
    int protocol_number;          /* 0..255 or FW_PROTOCOL_ANY */
    int direction;                /* fw_direction: FW_DIR_INBOUND or FW_DIR_OUTBOUND */
    int action;                   /* fw_rule_action */
    int store;                    /* fw_rule_store */
    uint32_t profiles;            /* fw_profile mask; FW_PROFILE_ALL when no Profile token */
    uint32_t flags;               /* FW_RULE_* */
    uint32_t local_port_keywords; /* FW_PORT_KEYWORD bits of [MS-FASP] 2.2.14 (RPC = 0x01, RPC-EPMap = 0x02, ...) */
    uint32_t remote_port_keywords;
    uint16_t version_major;       /* schema version: "v2.10" -> 2, 10 */
    uint16_t version_minor;
} fw_rule_info;

typedef struct fw_ruleset fw_ruleset;

/* A new, empty rule set. */
FW_API(int) fw_ruleset_new(fw_ruleset **out);

/* Parse rule_string and append it as rule `name` from `store` (fw_rule_store).
 * On a malformed string returns FW_EFORMAT; fw_error_last() names the rule,
 * and its column is the 1-based byte offset of the offending field. The set is
 * then unchanged (nothing is recorded as a diagnostic). name may be NULL or "". */
FW_API(int) fw_ruleset_add(fw_ruleset *rs, const char *name, const char *rule_string, int store);

/* Load the rules of a file (UTF-8 path): a .reg export (UTF-16LE or UTF-8;
 * every string value of every key) or a text file (one rule string per line,
 * optionally "RuleID=v2.10|...|"; '#' and ';' start comments). Malformed rules
 * become diagnostics and the rest load. *added (may be NULL) receives the number
 * of rules added. Errors: FW_ENOTFOUND, FW_EACCESS, FW_EIO, FW_EINVALID. */
FW_API(int) fw_ruleset_load_file(fw_ruleset *rs, const char *path, int store, size_t *added);

/* Windows: read the local (FW_STORE_LOCAL) or Group Policy (FW_STORE_GROUP_POLICY)
 * store from the registry; a missing key adds nothing. Malformed rules become
 * diagnostics. Elsewhere returns FW_ENOTFOUND. */
FW_API(int) fw_ruleset_load_registry(fw_ruleset *rs, int store, size_t *added);

/* Group Policy's AllowLocalPolicyMerge ([MS-GPFAS] 2.2.3.13): in a profile whose policy sets it to 0,
 * Windows enforces only Group Policy rules and ignores the local store's (FW_STORE_LOCAL) rules.
 * fw_ruleset_set_local_merge sets the profiles (fw_profile mask) in which local rules are in force,
 * for the rules already added and those added later; default FW_PROFILE_ALL. The rules stay in the
 * set (fw_ruleset_get lists them); the evaluator does not let them apply elsewhere: their result
 * says FW_REASON_LOCAL_NOT_MERGED, and a verdict that no rule in force allows names them.
 * FW_EINVALID when profiles has bits outside FW_PROFILE_ALL. */
FW_API(int) fw_ruleset_set_local_merge(fw_ruleset *rs, uint32_t profiles);

/* The profiles in which local rules are in force (see fw_ruleset_set_local_merge). */
FW_API(int) fw_ruleset_local_merge(const fw_ruleset *rs, uint32_t *profiles);

/* The profiles in which this computer's Group Policy lets local rules apply: all except those
 * whose key HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\{Domain,Private,Public}Profile
 * has AllowLocalPolicyMerge = 0 (absent = merged). Windows only: elsewhere FW_ENOTFOUND. */
FW_API(int) fw_local_merge_read(uint32_t *profiles);

/* The same from a .reg export (UTF-16LE or UTF-8) of the policy key, as on the computer it came from.
 * Errors: FW_ENOTFOUND, FW_EACCESS, FW_EIO, FW_EFORMAT (not a .reg export). */
FW_API(int) fw_local_merge_load_reg(const char *path, uint32_t *profiles);

/* Number of rules loaded. */
FW_API(size_t) fw_ruleset_count(const fw_ruleset *rs);

/* Rule `index` (0-based). Strings in *out are borrowed: valid until fw_ruleset_free.
 * Returns FW_ITEROVER past the last rule, FW_EINVALID on NULL arguments. */
FW_API(int) fw_ruleset_get(fw_ruleset *rs, size_t index, fw_rule_info *out);

/* A rule that could not be loaded. Strings borrowed until fw_ruleset_free. */
typedef struct fw_rule_diagnostic {
    const char *name;    /* rule ID, "" if unknown */
    const char *source;  /* file or registry key, "" if none */
    const char *message; /* "rule 'X': position 17: ..." */
    uint64_t line;       /* line in the file, 0 if none */
    uint64_t column;     /* 1-based byte offset in the rule string, 0 if none */
} fw_rule_diagnostic;

/* Diagnostic `index` (0-based); FW_ITEROVER past the last one. */
FW_API(int) fw_ruleset_diagnostic(const fw_ruleset *rs, size_t index, fw_rule_diagnostic *out);

FW_API(void) fw_ruleset_free(fw_ruleset *rs);

/* ---- Evaluating a packet ---------------------------------------------------- */

/* A packet as a log line describes it, seen from this machine (inbound: local = destination). */
typedef struct fw_packet {
    int direction;          /* fw_direction; FW_DIR_ANY matches both */
    int protocol;           /* 0..255, or -1 if unknown */
    fw_addr local;          /* FW_AF_NONE if unknown */
    fw_addr remote;
    int32_t local_port;     /* -1 if absent */
    int32_t remote_port;
    int16_t icmp_type;      /* -1 if absent */
    int16_t icmp_code;
    uint32_t profiles;      /* fw_profile mask of the active profile; FW_PROFILE_UNKNOWN (0) if unknown */
} fw_packet;

typedef enum fw_verdict {
    FW_VERDICT_NO_MATCHING_RULE = 0,     /* no rule covers the packet: the default (block inbound) holds */
    FW_VERDICT_BLOCKED_BY_RULE = 1,      /* an enabled block rule applies (block wins over allow) */
    FW_VERDICT_ALLOWED_BY_RULE = 2,      /* an enabled allow rule applies (possibly only for a program/service) */
    FW_VERDICT_ALLOWED_BY_DISABLED_RULE = 3, /* only a disabled allow rule would allow it */
    FW_VERDICT_UNDECIDABLE = 4           /* the answer depends on what the log line does not say */
} fw_verdict;

/* How a rule relates to the packet (fw_rule_result.applies), as if it were enabled. */
typedef enum fw_applies { FW_APPLIES_NO = 0, FW_APPLIES_YES = 1, FW_APPLIES_MAYBE = 2 } fw_applies;

/* fw_rule_result.reason: the main reason. */
typedef enum fw_rule_reason {
    FW_REASON_APPLIES = 0,
    FW_REASON_DISABLED = 1,
    FW_REASON_OTHER_DIRECTION = 2,
    FW_REASON_OTHER_PROTOCOL = 3,
    FW_REASON_OTHER_LOCAL_PORT = 4,
    FW_REASON_OTHER_REMOTE_PORT = 5,
    FW_REASON_OTHER_LOCAL_ADDRESS = 6,
    FW_REASON_OTHER_REMOTE_ADDRESS = 7,
    FW_REASON_OTHER_ICMP = 8,
    FW_REASON_OTHER_PROFILE = 9,
    FW_REASON_PROFILE_UNKNOWN = 10,
    FW_REASON_PROGRAM = 11,
    FW_REASON_SERVICE = 12,
    FW_REASON_AUTHENTICATION = 13,
    FW_REASON_INTERFACE = 14,
    FW_REASON_ADDRESS_KEYWORD = 15,
    FW_REASON_RPC_DYNAMIC = 16,
    FW_REASON_PORT_KEYWORD = 17,
    FW_REASON_LOCAL_NOT_MERGED = 18 /* a local-store rule where Group Policy does not merge local rules
                                       (AllowLocalPolicyMerge = 0, fw_ruleset_set_local_merge): not in force */
} fw_rule_reason;

/* fw_rule_result.conditions: what the log line cannot decide. */
#define FW_COND_PROFILE 0x01u
#define FW_COND_PROGRAM 0x02u
#define FW_COND_SERVICE 0x04u
#define FW_COND_AUTHENTICATION 0x08u
#define FW_COND_INTERFACE 0x10u
#define FW_COND_ADDRESS_KEYWORD 0x20u
#define FW_COND_RPC_DYNAMIC 0x40u
#define FW_COND_PORT_KEYWORD 0x80u

/* fw_ruleset_evaluate flags */
#define FW_EVAL_ALL_RULES 0x01u /* report every rule, not only the relevant ones */

typedef struct fw_evaluation fw_evaluation;

typedef struct fw_evaluation_info {
    int verdict;             /* fw_verdict */
    const char *explanation; /* one sentence; borrowed until fw_evaluation_free */
    size_t count;            /* number of rule results */
} fw_evaluation_info;

typedef struct fw_rule_result {
    size_t index;        /* rule index in the ruleset (for fw_ruleset_get) */
    int applies;         /* fw_applies, as if the rule were enabled */
    int reason;          /* fw_rule_reason */
    uint32_t conditions; /* FW_COND_* bits */
    int enabled;         /* 1 if the rule is enabled */
    int deciding;        /* 1 if the verdict rests on this rule */
    const char *text;    /* "scoped to service termservice", "other remote port (rule: 80)"; borrowed until fw_evaluation_free */
} fw_rule_result;

/* Evaluate a packet against every rule. Relevant rules are those that apply or
 * may apply (enabled or not) and near misses (rules that name the packet's port,
 * ICMP type or address but fail on one other condition: protocol, address or
 * profile); rules scoped to a program or service that name no port are listed
 * only when the verdict rests on them (at most 10). FW_EVAL_ALL_RULES reports all. The evaluation does not refer to the
 * ruleset after this call returns; free it with fw_evaluation_free. */
FW_API(int) fw_ruleset_evaluate(fw_evaluation **out, const fw_ruleset *rs, const fw_packet *packet, unsigned flags);

FW_API(int) fw_evaluation_get(const fw_evaluation *ev, fw_evaluation_info *out);

/* Result `index` (0-based, most decisive first); FW_ITEROVER past the last. */
FW_API(int) fw_evaluation_rule(const fw_evaluation *ev, size_t index, fw_rule_result *out);

FW_API(void) fw_evaluation_free(fw_evaluation *ev);

/* ---- Indirect strings ------------------------------------------------------ */

/* The text Windows shows for an indirect string such as "@FirewallAPI.dll,-28775"
 * (a rule's Name=, Desc= or EmbedCtxt=), resolved with SHLoadIndirectString in
 * the user's UI language. UTF-8 in and out. out (may be NULL when out_size is 0)
 * receives at most out_size bytes including the terminating NUL; *needed (may be
 * NULL) the size the whole text needs, NUL included.
 * Returns FW_OK; FW_EBUFS when out_size is too small (call again with *needed);
 * FW_EINVALID when text is NULL or is not an indirect string (does not start with
 * '@'); FW_ENOTFOUND when it cannot be resolved here: the DLL or the string id does
 * not exist on this machine, or this is not Windows (the raw text is all there is). */
FW_API(int) fw_indirect_string_resolve(const char *text, char *out, size_t out_size, size_t *needed);

/* Static names: "NoMatchingRule", "BlockedByRule", ...; "Applies", "Disabled", "OtherPort"... Never NULL. */
FW_API(const char *) fw_verdict_name(int verdict);
FW_API(const char *) fw_rule_reason_name(int reason);

FW_END_DECL

#endif /* FW_RULES_H */
