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

/* ---- Reader ------------------------------------------------------------- */

typedef struct fw_reader fw_reader;

#define FW_READER_OPTIONS_VERSION 1

typedef struct fw_reader_options {
    unsigned int version;     /* FW_READER_OPTIONS_VERSION */
    uint32_t batch_size;      /* records per fw_reader_next; 0 means 4096 */
    uint64_t start_offset;    /* byte offset of a line start to begin at; 0 = start of file */
    const fw_filter *filter;  /* may be NULL (everything); copied by fw_reader_open */
} fw_reader_options;

#define FW_READER_OPTIONS_INIT { FW_READER_OPTIONS_VERSION, 0, 0, NULL }

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

/* Next batch of records that pass the filter. On FW_OK, *records points to
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
                                 rejects is checked for its field count and the fields the filter read) */
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
