/*
 * fw/summary.h - counting log records by key in the native core: which ports,
 * which sources, which hours, over a log of gigabytes, without one object per
 * line crossing into the caller.
 *
 * Use:
 *   int keys[] = { FW_KEY_DIRECTION, FW_KEY_PROTOCOL, FW_KEY_LOCAL_PORT };
 *   fw_summary_new(&s, keys, 3);
 *   fw_summary_fields(s, &opts.fields);           (optional: type only what is counted)
 *   fw_reader_open(&r, path, &opts);
 *   while (fw_summary_read(s, r, &n) == FW_OK) {} (or fw_reader_next + fw_summary_add)
 *   fw_summary_finish(s, &groups);                (ordered: most records first)
 *   for i < groups: fw_summary_group_get(s, i, &g);
 *   fw_summary_free(s);
 *
 * Memory grows with the number of distinct groups, not with the records.
 */
#ifndef FW_SUMMARY_H
#define FW_SUMMARY_H

#include "common.h"
#include "log.h"

FW_BEGIN_DECL

typedef struct fw_summary fw_summary;

/* What records are grouped by. Local and remote follow the path column:
 * RECEIVE (inbound) has the local end at the destination, SEND (outbound) at
 * the source; for other paths they are absent. */
typedef enum fw_summary_key {
    FW_KEY_ACTION = 1,
    FW_KEY_PROTOCOL = 2,
    FW_KEY_SRC_ADDRESS = 3,
    FW_KEY_DST_ADDRESS = 4,
    FW_KEY_SRC_PORT = 5,
    FW_KEY_DST_PORT = 6,
    FW_KEY_DIRECTION = 7,   /* the path column: SEND, RECEIVE, FORWARD ... */
    FW_KEY_LOCAL_ADDRESS = 8,
    FW_KEY_LOCAL_PORT = 9,
    FW_KEY_REMOTE_ADDRESS = 10,
    FW_KEY_REMOTE_PORT = 11,
    FW_KEY_ICMP_TYPE = 12,
    FW_KEY_PID = 13,
    FW_KEY_HOUR = 14        /* the time, truncated to the hour */
} fw_summary_key;

#define FW_SUMMARY_KEYS_MAX 8

/* One group. Fields that are not part of the key are absent (FW_ABSENT,
 * FW_AF_NONE, FW_NO_TIME, FW_PATH_NONE, action FW_ACTION_OTHER). */
typedef struct fw_summary_group {
    uint64_t count;      /* records in the group */
    int64_t first_time;  /* earliest and latest time logged; FW_NO_TIME when none had one */
    int64_t last_time;
    int64_t bytes;       /* sum of the size column over the records that logged one */
    int64_t hour;        /* FW_KEY_HOUR: the hour's first second (as logged); else FW_NO_TIME */
    fw_addr src, dst, local, remote;
    int64_t pid;
    int32_t src_port, dst_port, local_port, remote_port;
    int16_t protocol;    /* as in fw_record */
    int16_t icmp_type;
    uint8_t action;      /* fw_action */
    uint8_t path;        /* fw_path */
    uint8_t reserved[2];
} fw_summary_group;

/* A summary grouping by keys[0..count) (1..FW_SUMMARY_KEYS_MAX distinct
 * fw_summary_key values; the order is the order of significance when groups
 * have equal counts). */
FW_API(int) fw_summary_new(fw_summary **out, const int *keys, size_t count);

/* The fw_record_fields fw_summary_add reads (the keys' fields, the time and
 * the size): pass them as fw_reader_options.fields so that the reader types
 * nothing else. */
FW_API(int) fw_summary_fields(const fw_summary *summary, uint32_t *fields);

/* Count a batch of records (as fw_reader_next returns them). */
FW_API(int) fw_summary_add(fw_summary *summary, const fw_record *records, size_t count);

/* Count the reader's next records instead of handing them out: one step as
 * fw_reader_next takes one (at most about FW_READER_SCAN_BUDGET bytes; the
 * reader's counters and diagnostics up to date after it), so the caller gets
 * control back for progress and cancellation. When the reader reads with
 * several threads, each counts its own part of the file and the parts are
 * merged here: nothing per record is left to the calling thread, and the groups
 * are exactly those of fw_summary_add over the records fw_reader_next gives.
 * *counted (may be NULL): records counted by this call. Returns FW_OK (call
 * again, also when *counted is 0) or FW_ITEROVER at the end.
 * A reader is stepped either by fw_reader_next or by fw_summary_read from its
 * first step on, and always for the same keys: FW_EINVALID otherwise. */
FW_API(int) fw_summary_read(fw_summary *summary, fw_reader *reader, uint64_t *counted);

/* Order the groups (most records first; ties by key) and return how many
 * there are. fw_summary_add may be called again afterwards; call
 * fw_summary_finish again before reading groups. */
FW_API(int) fw_summary_finish(fw_summary *summary, size_t *groups);

/* Group index (0-based, < the count of the last fw_summary_finish); returns
 * FW_ITEROVER past the end. */
FW_API(int) fw_summary_group_get(const fw_summary *summary, size_t index, fw_summary_group *out);

FW_API(void) fw_summary_free(fw_summary *summary);

FW_END_DECL

#endif /* FW_SUMMARY_H */
