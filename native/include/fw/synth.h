/*
 * fw/synth.h - rule synthesis: dropped traffic in, the fewest and narrowest
 * allow rules out, deduplicated against the rules in force.
 *
 * Use:
 *   fw_synth_options o = FW_SYNTH_OPTIONS_INIT;   (scope, merge, RPC keyword, profile)
 *   fw_synth_new(&s, &o);
 *   fw_synth_add_drops(s, batch, n);              (as many batches as needed)
 *   fw_synth_set_existing(s, rules);              (optional: the rules in force)
 *   fw_synth_run(s, &count);
 *   for i < count: fw_synth_candidate_get(s, i, &c);
 *   fw_synth_free(s);
 *
 * Grouping: drops are grouped by direction, protocol and service port - for
 * inbound drops the local (destination) port, for outbound drops the remote
 * port; ICMP drops by ICMP type; other protocols by protocol alone. A
 * candidate carries the hit count, first and last seen and the distinct
 * remote addresses.
 *
 * Remote addresses of a rule: without a scope, exactly the addresses seen
 * (consecutive addresses written as a range a-b, which is still exact), never
 * Any. With a scope, each drop's remote address is matched against the scope
 * entries: the narrowest address entry that contains it wins; if no address
 * entry does, it is accepted by an address keyword (LocalSubnet, DNS, DHCP,
 * WINS, DefaultGateway, Internet, Intranet, IntranetRemoteAccess, PlayToDevice,
 * optionally with a 4/6 family suffix) - which depends on the machine's
 * configuration and cannot be decided from a log line, so only the family
 * suffix is checked and the candidate has FW_SYNTH_FLAG_KEYWORD_SCOPE - and
 * failing that by Any. A rule's RemoteAddress is the list of scope entries its
 * drops matched (never broader than the scope given). Drops that match no
 * entry come back as FW_SYNTH_OUT_OF_SCOPE candidates, never as rules.
 */
#ifndef FW_SYNTH_H
#define FW_SYNTH_H

#include "common.h"
#include "log.h"
#include "rules.h"

FW_BEGIN_DECL

typedef struct fw_synth fw_synth;

/* One dropped packet, as the synthesiser needs it. Plain data. */
typedef struct fw_synth_drop {
    int64_t time;        /* seconds since 1970-01-01 (as logged), or FW_NO_TIME */
    fw_addr local;       /* this machine's address; may be FW_AF_NONE */
    fw_addr remote;      /* the peer's address; required (FW_AF_INET or FW_AF_INET6) */
    int32_t local_port;  /* 0..65535; required for inbound TCP/UDP, else may be FW_ABSENT (-1) */
    int32_t remote_port; /* 0..65535; required for outbound TCP/UDP, else may be FW_ABSENT (-1) */
    int16_t protocol;    /* IP protocol number 0..255 */
    int16_t icmp_type;   /* 0..255 for ICMPv4/ICMPv6 drops when known, else FW_ABSENT (-1) */
    uint8_t direction;   /* FW_DIR_INBOUND or FW_DIR_OUTBOUND */
    uint8_t reserved[3]; /* zero */
} fw_synth_drop;

#define FW_SYNTH_OPTIONS_VERSION 1

typedef struct fw_synth_options {
    unsigned int version;       /* FW_SYNTH_OPTIONS_VERSION */
    const char *const *scope;   /* scope entries (UTF-8): "192.0.2.7", "192.0.2.0/24", "192.0.2.0/255.255.255.0",
                                   "192.0.2.1-192.0.2.9", IPv6 likewise, or a keyword ("Any", "LocalSubnet", ...);
                                   NULL or scope_count 0 means no scope. Copied by fw_synth_new. */
    size_t scope_count;
    int merge_ports;            /* nonzero: merge adjacent or overlapping ports into ranges when direction,
                                   protocol, remote addresses, status and covering rule are equal */
    int use_rpc_keyword;        /* nonzero: inbound TCP ports 49152-65535 become one LocalPort RPC rule, and
                                   sources that also hit 135 get an RPCEPMap rule */
    uint32_t profile;           /* fw_profile mask for the rules; 0 or FW_PROFILE_ALL means Any */
} fw_synth_options;

#define FW_SYNTH_OPTIONS_INIT { FW_SYNTH_OPTIONS_VERSION, NULL, 0, 0, 0, 0 }

/* What a candidate is. */
typedef enum fw_synth_status {
    FW_SYNTH_NEW = 1,             /* a rule to create */
    FW_SYNTH_ALREADY_ALLOWED = 2, /* an enabled allow rule already covers every remote address (rule names it) */
    FW_SYNTH_BLOCKED_BY_RULE = 3, /* an enabled block rule matches: an allow rule would be overridden (rule names it) */
    FW_SYNTH_OUT_OF_SCOPE = 4     /* the remote addresses lie outside every scope entry: no rule */
} fw_synth_status;

/* Candidate flags. */
#define FW_SYNTH_FLAG_DYNAMIC_RPC 0x01   /* inbound TCP in 49152-65535: an RPC port that can change after a reboot */
#define FW_SYNTH_FLAG_RPC_KEYWORD 0x02   /* port is the RPC or RPCEPMap keyword */
#define FW_SYNTH_FLAG_KEYWORD_SCOPE 0x04 /* accepted by an address keyword that a log line cannot decide */
#define FW_SYNTH_FLAG_DISABLED_RULE 0x08 /* a disabled allow rule would cover it (rule names it) */
#define FW_SYNTH_FLAG_MERGED 0x10        /* ports were merged into a range */
#define FW_SYNTH_FLAG_PARTIAL 0x20       /* other remote addresses of the same traffic have another status */

/* One candidate rule. Strings are borrowed: valid until the next
 * fw_synth_run, fw_synth_add_drops, fw_synth_set_existing or fw_synth_free on
 * this synthesiser. Never NULL; "" when empty. */
typedef struct fw_synth_candidate {
    int status;                   /* fw_synth_status */
    uint32_t flags;               /* FW_SYNTH_FLAG_* */
    uint8_t direction;            /* fw_direction */
    uint8_t reserved;
    int16_t protocol;             /* 0..255 */
    int32_t port_lo, port_hi;     /* the service port range; -1 when the port is a keyword or the protocol has none */
    uint32_t profile;             /* fw_profile mask; 0 = Any */
    uint64_t hits;                /* drops in this candidate */
    uint64_t remote_seen_count;   /* distinct remote addresses seen */
    int64_t first_seen;           /* FW_NO_TIME if no drop had a time */
    int64_t last_seen;
    const char *name;             /* stable id derived from the content, e.g. "Fw-In-TCP-49154-1f0c9a2b7d3e4f60" */
    const char *protocol_text;    /* New-NetFirewallRule -Protocol: "TCP", "UDP", "ICMPv4", "ICMPv6" or "0".."255" */
    const char *port;             /* -LocalPort (inbound) or -RemotePort (outbound): "49154", "80-82", "RPC",
                                     "RPCEPMap"; "" when the protocol has no ports */
    const char *icmp_type;        /* -IcmpType: "8"; "" when not ICMP or unknown */
    const char *remote_address;   /* -RemoteAddress values, comma-separated ("192.0.2.7,192.0.2.9-192.0.2.12") */
    const char *remote_seen;      /* the distinct remote addresses seen, comma-separated, ranges compressed */
    const char *rule;             /* the covering, blocking or disabled rule's id; "" */
    const char *rule_string;      /* the candidate as a firewall rule string ([MS-GPFAS] grammar), "" for out of scope */
} fw_synth_candidate;

/* New synthesiser. opts may be NULL (no scope, no merging, Any profile).
 * Errors: FW_EINVALID (message names a bad scope entry or option). */
FW_API(int) fw_synth_new(fw_synth **out, const fw_synth_options *opts);

/* Add a batch of drops. The batch is validated as a whole first: on
 * FW_EINVALID (message names the index and the field) nothing was added. */
FW_API(int) fw_synth_add_drops(fw_synth *synth, const fw_synth_drop *drops, size_t count);

/* Add a batch of drops item by item: every valid drop is added, every invalid
 * one is skipped, so one bad item does not cost the others. results may be NULL
 * or point to `count` ints, each set to FW_OK (added) or FW_EINVALID (skipped).
 * Returns FW_OK when all were added; FW_EINVALID when some were skipped (the
 * valid ones were added; fw_error_last() names the first skipped index and the
 * field, and says how many were skipped); other codes (FW_ENOMEM) when the batch
 * could not be added at all. */
FW_API(int) fw_synth_add_valid_drops(fw_synth *synth, const fw_synth_drop *drops, size_t count, int *results);

/* FW_OK when `drop` can be synthesised; FW_EINVALID otherwise, and
 * fw_error_last() says which field is wrong ("direction 7 is neither ..."). */
FW_API(int) fw_synth_drop_check(const fw_synth_drop *drop);

/* The rules in force, for deduplication (see fw_ruleset_add / fw_ruleset_load_registry).
 * The rules are copied: the ruleset may be freed afterwards. NULL clears them.
 * A candidate is AlreadyAllowed when, for every requested profile, an enabled
 * allow rule certainly applies to each of its remote addresses (a rule scoped
 * to a program or service, or one the log line cannot decide, does not count),
 * or when an enabled allow rule's id equals the candidate's name (a rerun). */
FW_API(int) fw_synth_set_existing(fw_synth *synth, fw_ruleset *rules);

/* Build the candidates from everything added so far. *count receives their
 * number. May be called again after more drops were added. */
FW_API(int) fw_synth_run(fw_synth *synth, size_t *count);

/* Candidate index (0-based, < the count of the last fw_synth_run), ordered by
 * direction, protocol, port and status. Returns FW_ITEROVER past the end. */
FW_API(int) fw_synth_candidate_get(const fw_synth *synth, size_t index, fw_synth_candidate *out);

FW_API(void) fw_synth_free(fw_synth *synth);

FW_END_DECL

#endif /* FW_SYNTH_H */
