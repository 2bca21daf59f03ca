/*
 * fw/cursor.h - unattended reading: a position in a log that survives rotation,
 * resume plans, incremental and follow-mode cursors, and where Windows writes
 * the firewall logs.
 *
 * Rotation (Windows): when pfirewall.log reaches its size limit the firewall
 * service renames the whole file to pfirewall.log.old (one generation; an
 * older .old is replaced) and starts a new pfirewall.log with a fresh header.
 * A position therefore names a file by identity, not by name:
 *   - the OS identity: POSIX (st_dev, st_ino); Windows volume serial number and
 *     128-bit file id of a handle opened with read/write/delete sharing;
 *   - a hash of the file's first bytes (header and first records, at most
 *     FW_PREFIX_MAX bytes, never past the position), which also tells a
 *     file apart from a later one that reuses the same inode/file id;
 *   - the size of the file at the time.
 * A file matches when the OS identity matches (when both sides know it) and
 * the prefix hash matches.
 */
#ifndef FW_CURSOR_H
#define FW_CURSOR_H

#include "common.h"
#include "log.h"

FW_BEGIN_DECL

/* ---- File identity ------------------------------------------------------ */

#define FW_PREFIX_MAX 4096

typedef struct fw_file_id {
    uint64_t volume;      /* POSIX st_dev; Windows volume serial number */
    uint64_t index_lo;    /* POSIX st_ino; Windows file id, low 64 bits */
    uint64_t index_hi;    /* Windows file id, high 64 bits (ReFS); else 0 */
    uint64_t size;        /* file size in bytes when the identity was taken */
    uint64_t prefix_hash; /* FNV-1a 64 of the first prefix_len bytes */
    uint32_t prefix_len;  /* 0..FW_PREFIX_MAX */
    uint32_t has_os_id;   /* 1 when volume and index are known */
} fw_file_id;

/* A place in a log: everything before `offset` in `file` was delivered.
 * offset is just past the last complete line (a line start).
 * `before` is the file that was at path.old when the position was taken, when
 * that was an older generation than `file` (all zero when there was none): it
 * must never be read again, which tells "the log was truncated in place" from
 * "the log was rotated away twice and the file system reused its inode". */
typedef struct fw_position {
    fw_file_id file;
    uint64_t offset;
    fw_file_id before;
} fw_position;

/* Identify the file at path, hashing its first min(prefix_len, FW_PREFIX_MAX,
 * size) bytes. Errors: FW_ENOTFOUND, FW_EACCESS, FW_EIO, FW_EINVALID. */
FW_API(int) fw_file_identify(const char *path, uint64_t prefix_len, fw_file_id *out);

/* How a file on disk relates to an identity. */
typedef enum fw_file_match {
    FW_FILE_MISSING = 0,   /* nothing at that path */
    FW_FILE_OTHER = 1,     /* another file */
    FW_FILE_SAME = 2,      /* the same file (it may have grown) */
    FW_FILE_REWRITTEN = 3  /* same OS identity, but its first bytes changed or it is
                              shorter than the hashed prefix: truncated and rewritten */
} fw_file_match;

/* Compare the file at path with id; *result is an fw_file_match. A missing
 * file is FW_FILE_MISSING, not an error. */
FW_API(int) fw_file_compare(const char *path, const fw_file_id *id, int *result);

/* ---- Resume plans ------------------------------------------------------- */

/* Which file a segment reads: the live path, or path + ".old". */
typedef enum fw_source { FW_SOURCE_LIVE = 0, FW_SOURCE_ROTATED = 1 } fw_source;

typedef struct fw_segment {
    uint32_t source;  /* fw_source */
    uint32_t reserved;
    uint64_t start;   /* byte offset (a line start) to read from */
    fw_file_id file;  /* identity of the file when planned */
} fw_segment;

/* Plan warnings (bit mask). */
#define FW_WARN_TRUNCATED 0x1u /* the position's file is shorter than the position or was
                                  rewritten: it is read again from its start */
#define FW_WARN_GAP 0x2u       /* the position's file is gone (rotated away twice, or deleted):
                                  records written after the position may be lost; the
                                  newer files present are read from their start */
#define FW_WARN_NO_LOG 0x4u    /* the live file does not exist */
#define FW_WARN_REALIGNED 0x8u /* the position is not at the start of a line (a bookmark edited or
                                  damaged): reading again from the start of that line */

#define FW_PLAN_MAX 2

typedef struct fw_plan {
    uint32_t count;    /* segments in use, in reading (time) order */
    uint32_t warnings; /* FW_WARN_* */
    fw_segment segments[FW_PLAN_MAX];
} fw_plan;

/* Plan flags. */
#define FW_PLAN_INCLUDE_ROTATED 0x1u /* without a position: read path.old (whole) before path */

/* Decide what to read to continue from `from` (may be NULL: from the beginning).
 *  - path still holds from's file: path from from->offset (from 0 with
 *    FW_WARN_TRUNCATED if it shrank or was rewritten); nothing if it did not grow;
 *  - path.old holds it (rotated since): the rest of path.old, then path from 0;
 *  - neither (rotated twice): path.old (unless it is from->before) and path
 *    from 0, FW_WARN_GAP;
 *  - no position: path from 0, after path.old if FW_PLAN_INCLUDE_ROTATED.
 * Missing files are skipped (FW_WARN_NO_LOG when the live one is missing).
 * Errors only for bad arguments or unreadable files. */
FW_API(int) fw_log_plan(const char *path, const fw_position *from, uint32_t flags, fw_plan *out);

/* ---- Cursors ------------------------------------------------------------ */

/* A cursor reads a log across rotation: it executes a plan segment by segment,
 * each through an fw_reader started at the segment's offset, checks that the
 * reader opened the planned file (a rotation between plan and open is retried),
 * and reports the position reached. In follow mode fw_cursor_poll looks at the
 * log again and plans what was added, rotated or truncated since.
 * No file handle is kept open between segments, so the firewall service can
 * always rotate. */
typedef struct fw_cursor fw_cursor;

#define FW_CURSOR_OPTIONS_VERSION 1

typedef struct fw_cursor_options {
    unsigned int version;    /* FW_CURSOR_OPTIONS_VERSION */
    uint32_t flags;          /* FW_PLAN_* (applies to the first plan only) */
    uint32_t batch_size;     /* records per fw_reader_next; 0 means the reader's default */
    uint32_t reserved;
    const fw_filter *filter; /* may be NULL; copied by fw_cursor_open: may be freed afterwards */
} fw_cursor_options;

#define FW_CURSOR_OPTIONS_INIT { FW_CURSOR_OPTIONS_VERSION, 0, 0, 0, NULL }

/* Open a cursor on the live log path (UTF-8), continuing from `from` (may be
 * NULL: from the beginning). Plans at once; fw_cursor_warnings tells what the
 * plan found. Errors: FW_ENOTFOUND when there is nothing to read and the live
 * file does not exist (pass FW_CURSOR_FOLLOW to wait for it instead). */
#define FW_CURSOR_FOLLOW 0x100u /* flag: a missing live file is not an error */
FW_API(int) fw_cursor_open(fw_cursor **out, const char *path, const fw_position *from,
                           const fw_cursor_options *opts);

/* Start the next planned segment. On FW_OK *reader is a reader positioned at
 * the segment start (borrowed: valid until the next fw_cursor_segment,
 * fw_cursor_poll or fw_cursor_free); read it with fw_reader_next until
 * FW_ITEROVER. *source is an fw_source and *path the file it reads (borrowed,
 * same lifetime). Returns FW_ITEROVER when the plan is done. */
FW_API(int) fw_cursor_segment(fw_cursor *cursor, fw_reader **reader, int *source, const char **path);

/* The position reached. through == NULL: just past everything the current (or
 * last) segment's reader consumed. Otherwise through must be a record of the
 * current reader's last batch: the position just past that record's line (for
 * a consumer that stopped in the middle of a batch). Returns FW_ITEROVER (and
 * a zeroed *out) when the cursor was opened without a position and has read
 * nothing yet. Read each reader to FW_ITEROVER before fw_cursor_segment or
 * fw_cursor_poll: they take the reader's end as the position reached. */
FW_API(int) fw_cursor_position(fw_cursor *cursor, const fw_record *through, fw_position *out);

/* The position just before `record` (a record of the current reader's last
 * batch): everything before its line was delivered, the record itself not
 * (for a consumer that failed on it). */
FW_API(int) fw_cursor_position_before(fw_cursor *cursor, const fw_record *record, fw_position *out);

/* Follow mode: close the current segment, look at the log again from the
 * position reached and plan what was added since. *ready is 1 when
 * fw_cursor_segment has something to read. Cheap enough to call every 250 ms
 * (one stat and one read of at most FW_PREFIX_MAX bytes per file). */
FW_API(int) fw_cursor_poll(fw_cursor *cursor, int *ready);

/* Warnings found since the previous call (by the plan at open or poll, or
 * while opening a segment): FW_WARN_* and sentences describing them ("" when
 * none); then forgotten. message is borrowed: valid until the next call on
 * this cursor. */
FW_API(int) fw_cursor_warnings(fw_cursor *cursor, uint32_t *warnings, const char **message);

FW_API(void) fw_cursor_free(fw_cursor *cursor);

/* ---- Where the logs are ------------------------------------------------- */

/* The log files the firewall is configured to write on this machine, for all
 * profiles: Group Policy (HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\
 * <Profile>\Logging\LogFilePath) over local settings (HKLM\SYSTEM\
 * CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\<Profile>\
 * Logging\LogFilePath), environment variables expanded, duplicates removed,
 * in profile order Domain, Private, Public; the default
 * %SystemRoot%\System32\LogFiles\Firewall\pfirewall.log when nothing is set.
 * The result is UTF-8 paths, each NUL-terminated, followed by one more NUL.
 * *needed receives the bytes required (including the final NUL), *count the
 * number of paths; FW_EBUFS when size < *needed (buffer may be NULL then).
 * Not on Windows: FW_ENOTFOUND. */
FW_API(int) fw_log_default_paths(char *buffer, size_t size, size_t *needed, size_t *count);

FW_END_DECL

#endif /* FW_CURSOR_H */
