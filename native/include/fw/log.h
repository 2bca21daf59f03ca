/*
 * fw/log.h - reading pfirewall.log: filters, the reader, typed records.
 *
 * A reader maps the file, finds line and field boundaries (stage 1), evaluates
 * the filter on the raw fields and types only the records that pass (stage 2).
 * Records cross the ABI in batches.
 */
#ifndef FW_LOG_H
#define FW_LOG_H

#include "common.h"

FW_BEGIN_DECL

/* Value of the action column. */
typedef enum fw_action {
    FW_ACTION_OTHER = 0, /* a value this library does not know; the record is still delivered */
    FW_ACTION_DROP = 1,
    FW_ACTION_ALLOW = 2,
    FW_ACTION_INFO_EVENTS_LOST = 3,
    FW_ACTION_OPEN = 4,         /* Windows XP / Server 2003 */
    FW_ACTION_OPEN_INBOUND = 5, /* Windows XP / Server 2003 */
    FW_ACTION_CLOSE = 6         /* Windows XP / Server 2003 */
} fw_action;

/* Value of the path column. */
typedef enum fw_path {
    FW_PATH_NONE = 0, /* '-' or column absent */
    FW_PATH_SEND = 1,
    FW_PATH_RECEIVE = 2,
    FW_PATH_FORWARD = 3,
    FW_PATH_UNKNOWN = 4,
    FW_PATH_OTHER = 5 /* a value this library does not know */
} fw_path;

#define FW_ABSENT (-1)        /* an absent ('-') number */
#define FW_PROTOCOL_OTHER (-2) /* a protocol name this library does not know */
#define FW_NO_TIME INT64_MIN

/* One log line, typed. Plain data: no pointers, fixed layout. */
typedef struct fw_record {
    int64_t time;        /* wall-clock seconds since 1970-01-01 00:00:00 as logged (no time zone); FW_NO_TIME if absent */
    uint64_t offset;     /* byte offset of the line's first byte in the file */
    uint64_t line;       /* 1-based line number in the file */
    fw_addr src;         /* src-ip */
    fw_addr dst;         /* dst-ip */
    int64_t size;        /* FW_ABSENT if absent; likewise for every number below */
    int64_t tcp_syn;
    int64_t tcp_ack;
    int64_t info;        /* numeric info (events lost for INFO-EVENTS-LOST) */
    int64_t pid;         /* FW_ABSENT when '-' or when the log has no pid column */
    int32_t src_port;
    int32_t dst_port;
    int32_t tcp_win;
    int16_t protocol;    /* IP protocol number 0..255, FW_ABSENT, or FW_PROTOCOL_OTHER */
    int16_t icmp_type;
    int16_t icmp_code;
    uint8_t action;      /* fw_action */
    uint8_t path;        /* fw_path */
    char tcp_flags[8];   /* tcpflags as logged ("S", "AP", ...), NUL-terminated; "" if absent */
} fw_record;

/* ---- Filters ------------------------------------------------------------ */

typedef struct fw_filter fw_filter;

/* Which column a filter value applies to. */
typedef enum fw_filter_field {
    FW_FILTER_ACTION = 1,      /* "Drop", "ALLOW", "INFO-EVENTS-LOST", "Open", ... (case-insensitive) */
    FW_FILTER_PROTOCOL = 2,    /* "TCP", "udp", "ICMPv6", or a number "0".."255" */
    FW_FILTER_SRC_ADDRESS = 3, /* "10.0.0.1", "10.0.0.0/8", "10.0.0.0/255.0.0.0", "10.0.0.1-10.0.0.9", IPv6 likewise */
    FW_FILTER_DST_ADDRESS = 4,
    FW_FILTER_SRC_PORT = 5,    /* "443" or "49152-65535" */
    FW_FILTER_DST_PORT = 6,
    FW_FILTER_DIRECTION = 7    /* "Inbound"/"Outbound" (or "RECEIVE"/"SEND") */
} fw_filter_field;

/* A new filter that matches everything. */
FW_API(int) fw_filter_new(fw_filter **out);

/* Add one accepted value for a column. Values for the same column are OR'ed,
 * different columns are AND'ed. Returns FW_EINVALID (message names the value)
 * if the value cannot be parsed; the filter is then unchanged. */
FW_API(int) fw_filter_add(fw_filter *filter, int field, const char *value);

/* Time window on the logged wall-clock time, in seconds since 1970-01-01 00:00:00:
 * after is inclusive, before is exclusive. Pass FW_NO_TIME (INT64_MIN) for an open end. */
FW_API(int) fw_filter_set_time(fw_filter *filter, int64_t after, int64_t before);

FW_API(void) fw_filter_free(fw_filter *filter);

/* ---- Filter expressions ------------------------------------------------- */
/*
 * An expression tree AND'ed with the filter's other conditions (what
 * Get-FwDrop -Filter compiles a PowerShell script block into). It is a flat
 * program: nodes[0] is the root; AND/OR/NOT name their children by index into
 * children[], and every child index is greater than its parent's, and every
 * node but the root is the child of exactly one node (a tree: no cycles, no
 * sharing). Depth is at most FW_EXPR_MAX_DEPTH. Leaves test one field of a
 * record against constants held in numbers[], addresses[] or text[]; every
 * slice a node names is checked to lie inside its array.
 */

typedef enum fw_expr_kind {
    FW_EXPR_AND = 1,       /* every child passes (no child: true) */
    FW_EXPR_OR = 2,        /* some child passes (no child: false) */
    FW_EXPR_NOT = 3,       /* exactly one child, negated */
    FW_EXPR_NUMBERS = 4,   /* a number field lies in one of `count` inclusive ranges:
                              numbers[first + 2i] <= value <= numbers[first + 2i + 1] */
    FW_EXPR_CODES = 5,     /* a coded field's code is a set bit of numbers[first .. first + count) (64 bits a
                              word, bit k in word k / 64); count is 1 for ACTION and PATH, 5 for PROTOCOL */
    FW_EXPR_ADDRESSES = 6, /* an address field lies in one of `count` ranges addresses[first + 2i .. first + 2i + 1]
                              (same family, lo <= hi) */
    FW_EXPR_TEXT = 7       /* a field's text matches a pattern of `count` tokens at text[first], each
                              FW_EXPR_TOKEN_SIZE bytes: a kind byte (FW_EXPR_TOKEN_ONE: one character that is
                              a set bit of the next 32 bytes, bit c in byte c / 8; FW_EXPR_TOKEN_ANY_RUN: any
                              run of characters, the 32 bytes ignored) */
} fw_expr_kind;

/* Fields a leaf tests. Local/remote follow the path: RECEIVE -> local is the
 * destination, SEND -> local is the source; otherwise they are absent. */
typedef enum fw_expr_field {
    FW_EXPR_TIME = 1,         /* NUMBERS: seconds as fw_record.time (absent: FW_NO_TIME) */
    FW_EXPR_ACTION = 2,       /* CODES: fw_action */
    FW_EXPR_PROTOCOL = 3,     /* CODES: the number 0-255, 256 for FW_PROTOCOL_OTHER, 257 when absent */
    FW_EXPR_SRC_ADDRESS = 4,  /* ADDRESSES, TEXT */
    FW_EXPR_DST_ADDRESS = 5,
    FW_EXPR_SRC_PORT = 6,     /* NUMBERS, TEXT (decimal) */
    FW_EXPR_DST_PORT = 7,
    FW_EXPR_SIZE = 8,
    FW_EXPR_TCP_FLAGS = 9,    /* TEXT only (as logged) */
    FW_EXPR_TCP_SYN = 10,
    FW_EXPR_TCP_ACK = 11,
    FW_EXPR_TCP_WINDOW = 12,
    FW_EXPR_ICMP_TYPE = 13,
    FW_EXPR_ICMP_CODE = 14,
    FW_EXPR_INFO = 15,
    FW_EXPR_PATH = 16,        /* CODES: fw_path */
    FW_EXPR_PID = 17,
    FW_EXPR_LOCAL_ADDRESS = 18,
    FW_EXPR_REMOTE_ADDRESS = 19,
    FW_EXPR_LOCAL_PORT = 20,
    FW_EXPR_REMOTE_PORT = 21
} fw_expr_field;

#define FW_EXPR_ABSENT_PASSES 1u /* leaf flag: an absent value ('-', no such column) passes; else it fails */
#define FW_EXPR_TOKEN_ONE 0
#define FW_EXPR_TOKEN_ANY_RUN 1
#define FW_EXPR_TOKEN_SIZE 33
#define FW_EXPR_MAX_DEPTH 64
#define FW_EXPR_MAX_NODES 65536

typedef struct fw_expr_node {
    uint32_t kind;   /* fw_expr_kind */
    uint32_t field;  /* fw_expr_field (leaves); 0 for AND/OR/NOT */
    uint32_t flags;  /* FW_EXPR_ABSENT_PASSES (NUMBERS, ADDRESSES, TEXT); 0 otherwise */
    uint32_t first;  /* first index of the node's slice: children[], numbers[], addresses[] or text[] */
    uint32_t count;  /* children, ranges, words or tokens */
} fw_expr_node;

#define FW_EXPR_VERSION 1

typedef struct fw_expr {
    unsigned int version; /* FW_EXPR_VERSION */
    const fw_expr_node *nodes;
    size_t node_count;    /* 1..FW_EXPR_MAX_NODES */
    const uint32_t *children;
    size_t child_count;
    const int64_t *numbers;
    size_t number_count;
    const fw_addr *addresses;
    size_t address_count;
    const unsigned char *text; /* length-delimited by the nodes; no terminator */
    size_t text_size;
} fw_expr;

/* Set (replace) the filter's expression; NULL removes it. The program is
 * validated completely and copied: FW_EINVALID (naming the node and what is
 * wrong) leaves the filter unchanged. */
FW_API(int) fw_filter_set_expr(fw_filter *filter, const fw_expr *expr);

/* ---- Reader ------------------------------------------------------------- */

typedef struct fw_reader fw_reader;

/* The fw_record fields a reader fills (fw_reader_options.fields): a caller that
 * needs a few (a summary) saves typing the others. A field not asked for is
 * left absent (FW_ABSENT, FW_NO_TIME, FW_AF_NONE, "", FW_ACTION_OTHER,
 * FW_PATH_NONE); offset and line are always set. A line is still checked for
 * its field count and for every column that is typed (or that the filter
 * reads); a malformed value in another column is not noticed. */
typedef enum fw_record_fields {
    FW_FIELDS_TIME = 1 << 0,
    FW_FIELDS_ACTION = 1 << 1,
    FW_FIELDS_PROTOCOL = 1 << 2,
    FW_FIELDS_SRC_ADDRESS = 1 << 3,
    FW_FIELDS_DST_ADDRESS = 1 << 4,
    FW_FIELDS_SRC_PORT = 1 << 5,
    FW_FIELDS_DST_PORT = 1 << 6,
    FW_FIELDS_SIZE = 1 << 7,
    FW_FIELDS_TCP = 1 << 8,  /* tcp_flags, tcp_syn, tcp_ack, tcp_win */
    FW_FIELDS_ICMP = 1 << 9, /* icmp_type, icmp_code */
    FW_FIELDS_INFO = 1 << 10,
    FW_FIELDS_PATH = 1 << 11,
    FW_FIELDS_PID = 1 << 12,
    FW_FIELDS_ALL = (1 << 13) - 1
} fw_record_fields;

#define FW_READER_OPTIONS_VERSION 2

typedef struct fw_reader_options {
    unsigned int version;     /* FW_READER_OPTIONS_VERSION (1 is still accepted: the fields up to filter) */
    uint32_t batch_size;      /* records per fw_reader_next; 0 means 4096 */
    uint64_t start_offset;    /* byte offset of a line start to begin at; 0 = start of file */
    const fw_filter *filter;  /* may be NULL (everything); copied by fw_reader_open */
    /* Version 2: */
    uint32_t threads;         /* threads reading the file: 0 = one per core, 1 = the calling thread only;
                                 at most FW_READER_THREADS_MAX. A file of a few MiB, a UTF-16 file and a
                                 read from a start_offset use the calling thread. */
    uint32_t fields;          /* fw_record_fields to fill; 0 = all */
} fw_reader_options;

#define FW_READER_THREADS_MAX 256

#define FW_READER_OPTIONS_INIT { FW_READER_OPTIONS_VERSION, 0, 0, NULL, 0, 0 }

/* File bytes one fw_reader_next reads at most before returning early. */
#define FW_READER_SCAN_BUDGET (4u * 1024u * 1024u)

/* Open a log file for reading. path is UTF-8 (on Windows converted to a wide,
 * long-path-capable name; the file is shared for read, write and delete so the
 * firewall service keeps writing). opts may be NULL for defaults. The reader
 * reads the size the file had when opened, through a fixed-size buffer: memory
 * does not grow with the file. A line longer than 256 KiB is skipped.
 * start_offset must be 0 or the offset of a line start (a record's offset,
 * stats.position of an earlier reader, or a place in or just after NUL
 * padding); the layout and line numbers before it are those of a read from
 * the start (the text before it is scanned, not delivered), so any split of a
 * file into resumed reads delivers the records of one read.
 * Errors: FW_ENOTFOUND, FW_EACCESS (the message says to run elevated on
 * Windows), FW_EIO, FW_EINVALID (a directory, bad options, start_offset not at
 * a line start or past the end). */
FW_API(int) fw_reader_open(fw_reader **out, const char *path, const fw_reader_options *opts);

/* Next batch of records that pass the filter, in the file's order (also when
 * several threads read the file: each reads a range of it, and the batches
 * come back in order with the same records, line numbers, counters and
 * diagnostics as one thread gives). On FW_OK, *records points to
 * *count records, borrowed: valid until the next fw_reader_next or
 * fw_reader_free on this reader. Returns FW_ITEROVER at the end of the data
 * (and on every call after it); that is the only end signal.
 * A call reads at most about 4 MiB of the file (FW_READER_SCAN_BUDGET bytes,
 * plus the rest of the buffer it is working on): when that much did not fill
 * the batch, it returns FW_OK early with fewer records than batch_size,
 * possibly *count == 0 - not the end: call again. A filter that matches
 * nothing thus still gives the caller control every few milliseconds (for
 * progress, stats and cancellation); stats.position and the counters are
 * up to date after every call.
 * A line without a line end at the end of the file is not delivered (it may
 * still be being written); stats.partial_tail says so. */
FW_API(int) fw_reader_next(fw_reader *reader, const fw_record **records, size_t *count);

/* File encodings the reader recognises. */
typedef enum fw_encoding { FW_ENC_UTF8 = 0, FW_ENC_UTF16LE = 1 } fw_encoding;

#define FW_MAX_SKIPPED_LINES 8

typedef struct fw_reader_stats {
    uint64_t file_size;       /* size of the file when opened */
    uint64_t position;        /* byte offset just past the last complete line consumed */
    uint64_t lines;           /* lines consumed (records, headers, blank and skipped lines); text cut
                                 off by NUL padding counts as a line of its own */
    uint64_t records;         /* well-formed record lines, passing the filter or not (a line the filter
                                 rejects is checked for its field count and the fields the filter read;
                                 lines passed over, see FW_NOTE_PASSED_OVER, are not counted) */
    uint64_t matched;         /* records that passed the filter */
    uint64_t skipped;         /* malformed lines skipped */
    uint64_t skipped_lines[FW_MAX_SKIPPED_LINES]; /* line numbers of the first skipped lines, each once
                                                     (a NUL-cut line's fragments are listed once); 0 = unused */
    uint32_t headers;         /* '#Fields:' lines seen */
    uint32_t layout_changes;  /* '#Fields:' lines that changed the column layout after the first */
    uint8_t encoding;         /* fw_encoding */
    uint8_t partial_tail;     /* 1 if the file ends in an incomplete line that was not delivered */
    uint8_t has_pid;          /* 1 if the current layout has a pid column */
    uint8_t notes;            /* FW_NOTE_* bits (0 in ABI 1 libraries, where this byte was reserved) */
    uint32_t nul_bytes;       /* NUL padding bytes ignored (saturates) */
} fw_reader_stats;

/* fw_reader_stats.notes: what the caller should tell the user. */
#define FW_NOTE_SHRANK 0x1u  /* the file got shorter while it was read (truncated or rewritten):
                                what was read ends at stats.position; a diagnostic gives the sizes */
#define FW_NOTE_CR_ONLY 0x2u /* lines end in CR alone (no LF): not a log as Windows writes it; nothing
                                past the first line can be read */
#define FW_NOTE_PASSED_OVER 0x4u /* the filter names one port: lines without its digits cannot match and were
                                    passed over unread (counted in lines, not in records; a malformed one
                                    among them is not reported; read without the port filter to check all) */

/* Counters so far. */
FW_API(int) fw_reader_stats_get(const fw_reader *reader, fw_reader_stats *out);

/* Diagnostics: the first few problems found, with a human-readable message
 * ("line 12: 16 fields, expected 17"): the first FW_MAX_SKIPPED_LINES skipped
 * lines, then "line N: incomplete last line ..." when stats.partial_tail is set.
 * index counts from 0; returns FW_ITEROVER past the last one. line and message
 * may be NULL. message is borrowed: valid until fw_reader_free. */
FW_API(int) fw_reader_diagnostic(const fw_reader *reader, size_t index, uint64_t *line, const char **message);

FW_API(void) fw_reader_free(fw_reader *reader);

FW_END_DECL

#endif /* FW_LOG_H */
