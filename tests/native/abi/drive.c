/*
 * drive.c - the fwcore C ABI driven end to end as a C user drives it: plain
 * C99, linked against the shared library (so only exported symbols are
 * reachable), every status checked, every handle freed (the ctest runs it
 * under AddressSanitizer with leak detection in the sanitizer build).
 *
 * Usage: fw_abi_drive <tests/data directory> <scratch directory>
 * Exit status 0 when every check holds; each failure prints where and why.
 */
#include <fw/fw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static const char *data_dir;
static const char *scratch_dir;

/* A check that failed: say where, what, and what fw_error_last() holds. */
static void fail(const char *file, int line, const char *what) {
    const fw_error *e = fw_error_last();
    fprintf(stderr, "%s:%d: FAILED: %s\n    fw_error_last: code %d (%s), class %d: %s\n", file, line, what, e->code,
            fw_errstr(e->code), e->klass, e->message);
    ++failures;
}

#define CHECK(cond)                                                                                 \
    do {                                                                                            \
        if (!(cond)) fail(__FILE__, __LINE__, #cond);                                               \
    } while (0)

/* A status that must be FW_OK; stops the current scenario otherwise. */
#define OK(call)                                                                                    \
    do {                                                                                            \
        int rc_ = (call);                                                                           \
        if (rc_ != FW_OK) {                                                                         \
            fail(__FILE__, __LINE__, #call " != FW_OK");                                            \
            goto done;                                                                              \
        }                                                                                           \
    } while (0)

static void join(char *out, size_t size, const char *dir, const char *name) {
    int n = snprintf(out, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size) {
        fprintf(stderr, "path too long: %s/%s\n", dir, name);
        exit(2);
    }
}

static fw_addr ipv4(unsigned a, unsigned b, unsigned c, unsigned d) {
    fw_addr x;
    memset(&x, 0, sizeof x);
    x.family = FW_AF_INET;
    x.bytes[0] = (uint8_t)a;
    x.bytes[1] = (uint8_t)b;
    x.bytes[2] = (uint8_t)c;
    x.bytes[3] = (uint8_t)d;
    return x;
}

/* ---- versions and errors ---------------------------------------------------- */

static void versions(void) {
    CHECK(fw_abi_version() == FW_ABI_VERSION);
    CHECK(strcmp(fw_version(), FW_VERSION) == 0);
    CHECK(strcmp(fw_errstr(FW_OK), "") != 0);
    CHECK(strcmp(fw_errstr(FW_ENOTFOUND), fw_errstr(FW_EINVALID)) != 0);
    CHECK(fw_errstr(12345) != NULL); /* an unknown code still has text */
    fw_error_clear();
    CHECK(fw_error_last() != NULL);
    CHECK(fw_error_last()->code == FW_OK);
    CHECK(strcmp(fw_error_last()->message, "") == 0);
}

static void missing_file(void) {
    char path[4096];
    fw_reader *r = (fw_reader *)&r; /* not NULL: the constructor must set *out = NULL */
    const fw_error *e;
    int rc;
    join(path, sizeof path, scratch_dir, "no-such-file.log");
    rc = fw_reader_open(&r, path, NULL);
    CHECK(rc == FW_ENOTFOUND);
    CHECK(r == NULL);
    e = fw_error_last();
    CHECK(e->code == FW_ENOTFOUND);
    CHECK(e->klass == FW_ERRCLASS_OS);
    CHECK(e->os_error != 0);
    CHECK(strstr(e->message, "no-such-file.log") != NULL); /* the message names the file */
    fw_reader_free(r);                                    /* NULL is accepted */

    /* Bad arguments are FW_EINVALID, never a crash. */
    CHECK(fw_reader_open(NULL, path, NULL) == FW_EINVALID);
    CHECK(fw_error_last()->klass == FW_ERRCLASS_ARGUMENT);
    CHECK(fw_reader_open(&r, NULL, NULL) == FW_EINVALID && r == NULL);
    {
        fw_reader_options o = FW_READER_OPTIONS_INIT;
        o.version = 99;
        CHECK(fw_reader_open(&r, path, &o) == FW_EINVALID && r == NULL);
    }
    CHECK(fw_reader_next(NULL, NULL, NULL) == FW_EINVALID);
    /* A success clears the last error. */
    CHECK(fw_abi_version() == FW_ABI_VERSION);
    {
        fw_filter *f = NULL;
        if (fw_filter_new(&f) == FW_OK) {
            CHECK(fw_error_last()->code == FW_OK);
            fw_filter_free(f);
        } else {
            CHECK(!"fw_filter_new failed");
        }
    }
}

/* ---- reading ------------------------------------------------------------------ */

struct read_result {
    uint64_t records;
    uint64_t drops;
    uint64_t batches;
    fw_reader_stats stats;
};

/* Read path to the end through the given filter (may be NULL), batch_size records at a time. */
static int read_log(const char *path, const fw_filter *filter, uint32_t batch_size, struct read_result *res) {
    fw_reader_options o = FW_READER_OPTIONS_INIT;
    fw_reader *r = NULL;
    const fw_record *recs = NULL;
    size_t n = 0, i;
    int rc;
    memset(res, 0, sizeof *res);
    o.batch_size = batch_size;
    o.filter = filter;
    OK(fw_reader_open(&r, path, &o));
    while ((rc = fw_reader_next(r, &recs, &n)) == FW_OK) {
        ++res->batches;
        CHECK(n <= batch_size);
        for (i = 0; i < n; ++i) {
            ++res->records;
            if (recs[i].action == FW_ACTION_DROP) ++res->drops;
            CHECK(recs[i].line > 0);
            CHECK(memchr(recs[i].tcp_flags, '\0', sizeof recs[i].tcp_flags) != NULL);
        }
    }
    CHECK(rc == FW_ITEROVER);
    CHECK(fw_reader_next(r, &recs, &n) == FW_ITEROVER && n == 0); /* and on every call after it */
    OK(fw_reader_stats_get(r, &res->stats));
    fw_reader_free(r);
    return 1;
done:
    fw_reader_free(r);
    return 0;
}

static void reading(void) {
    char path[4096];
    fw_filter *f = NULL;
    struct read_result all, drops;
    uint64_t line = 0;
    const char *message = NULL;
    fw_reader *r = NULL;
    int rc;
    join(path, sizeof path, data_dir, "log/formats-section7.log");

    /* Everything, in small batches. */
    if (!read_log(path, NULL, 7, &all)) return;
    CHECK(all.records == 34); /* see tests/native/log/reader.test.cpp */
    CHECK(all.batches >= 5);
    CHECK(all.stats.records == 34 && all.stats.matched == 34);
    CHECK(all.stats.skipped == 1 && all.stats.skipped_lines[0] == 42);
    CHECK(all.stats.position == all.stats.file_size);
    CHECK(all.drops > 0 && all.drops < all.records);

    /* The same file through a filter: exactly the drops. */
    OK(fw_filter_new(&f));
    OK(fw_filter_add(f, FW_FILTER_ACTION, "drop"));
    CHECK(fw_filter_add(f, FW_FILTER_PROTOCOL, "tcpx") == FW_EINVALID); /* the filter is then unchanged */
    CHECK(strstr(fw_error_last()->message, "tcpx") != NULL);
    CHECK(fw_filter_add(f, 99, "x") == FW_EINVALID);
    OK(fw_filter_set_time(f, FW_NO_TIME, FW_NO_TIME));
    if (!read_log(path, f, 4096, &drops)) goto done;
    CHECK(drops.records == all.drops);
    CHECK(drops.drops == drops.records);
    CHECK(drops.stats.matched == all.drops);
    CHECK(drops.stats.records == all.records);

    /* Diagnostics name the malformed line. */
    OK(fw_reader_open(&r, path, NULL));
    {
        const fw_record *recs;
        size_t n;
        while ((rc = fw_reader_next(r, &recs, &n)) == FW_OK) {
        }
        CHECK(rc == FW_ITEROVER);
    }
    OK(fw_reader_diagnostic(r, 0, &line, &message));
    CHECK(line == 42);
    CHECK(message != NULL && strstr(message, "line 42") != NULL);
    CHECK(fw_reader_diagnostic(r, 1, &line, &message) == FW_ITEROVER);
done:
    fw_reader_free(r);
    fw_filter_free(f);
}

/* ---- summary -------------------------------------------------------------------- */

static void summary(void) {
    char path[4096];
    fw_reader *r = NULL;
    fw_summary *s = NULL;
    const int keys[] = {FW_KEY_PROTOCOL, FW_KEY_ACTION};
    const int twice[] = {FW_KEY_PROTOCOL, FW_KEY_PROTOCOL};
    const fw_record *recs;
    size_t n, groups = 0, i;
    uint64_t total = 0, previous = UINT64_MAX;
    int rc;
    join(path, sizeof path, data_dir, "log/formats-section7.log");

    CHECK(fw_summary_new(&s, twice, 2) == FW_EINVALID && s == NULL);
    CHECK(fw_summary_new(&s, keys, 0) == FW_EINVALID && s == NULL);
    OK(fw_summary_new(&s, keys, 2));
    OK(fw_reader_open(&r, path, NULL));
    while ((rc = fw_reader_next(r, &recs, &n)) == FW_OK) OK(fw_summary_add(s, recs, n));
    CHECK(rc == FW_ITEROVER);
    OK(fw_summary_finish(s, &groups));
    CHECK(groups >= 3);
    for (i = 0; i < groups; ++i) {
        fw_summary_group g;
        OK(fw_summary_group_get(s, i, &g));
        CHECK(g.count > 0 && g.count <= previous); /* most records first */
        previous = g.count;
        total += g.count;
        CHECK(g.src.family == FW_AF_NONE); /* not part of the key */
        CHECK(g.src_port == FW_ABSENT);
    }
    CHECK(total == 34);
    {
        fw_summary_group g;
        CHECK(fw_summary_group_get(s, groups, &g) == FW_ITEROVER);
    }
    /* The same counted by the reader itself (fw_summary_read): the same total. */
    fw_reader_free(r);
    r = NULL;
    fw_summary_free(s);
    s = NULL;
    OK(fw_summary_new(&s, keys, 2));
    OK(fw_reader_open(&r, path, NULL));
    {
        uint64_t counted = 0, step = 0;
        while ((rc = fw_summary_read(s, r, &step)) == FW_OK) counted += step;
        CHECK(rc == FW_ITEROVER);
        CHECK(counted == 34);
        CHECK(fw_reader_next(r, &recs, &n) == FW_EINVALID); /* a counting reader hands out nothing */
    }
    OK(fw_summary_finish(s, &groups));
    CHECK(groups >= 3);
done:
    fw_reader_free(r);
    fw_summary_free(s);
}

/* ---- rules -------------------------------------------------------------------------- */

static void rules(void) {
    char path[4096];
    fw_ruleset *rs = NULL;
    fw_evaluation *ev = NULL;
    size_t added = 0, count, i;
    fw_rule_info info;
    fw_packet p;
    fw_evaluation_info ei;
    fw_rule_result rr;
    int deciding = 0;
    join(path, sizeof path, data_dir, "rules/reference-rules.txt");

    OK(fw_ruleset_new(&rs));
    OK(fw_ruleset_load_file(rs, path, FW_STORE_UNSPECIFIED, &added));
    CHECK(added >= 15);
    count = fw_ruleset_count(rs);
    CHECK(count == added);
    for (i = 0; i < count; ++i) {
        OK(fw_ruleset_get(rs, i, &info));
        CHECK(info.raw != NULL && strlen(info.raw) > 5);
        CHECK(info.store == FW_STORE_FILE);
        CHECK(info.direction == FW_DIR_INBOUND || info.direction == FW_DIR_OUTBOUND);
        CHECK(info.line > 0);
        CHECK(info.source != NULL && strstr(info.source, "reference-rules.txt") != NULL);
    }
    CHECK(fw_ruleset_get(rs, count, &info) == FW_ITEROVER);
    {
        fw_rule_diagnostic d;
        CHECK(fw_ruleset_diagnostic(rs, 0, &d) == FW_ITEROVER); /* every reference rule parses */
    }

    /* A malformed string: FW_EFORMAT naming the rule, the set unchanged. */
    CHECK(fw_ruleset_add(rs, "bad", "v2.10|Action=Permit|Dir=In|", FW_STORE_OTHER) == FW_EFORMAT);
    CHECK(strstr(fw_error_last()->message, "bad") != NULL);
    CHECK(fw_error_last()->column > 0);
    CHECK(fw_ruleset_count(rs) == count);

    OK(fw_ruleset_add(rs, "block-telnet", "v2.10|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=23|Name=Block telnet|",
                      FW_STORE_OTHER));
    CHECK(fw_ruleset_count(rs) == count + 1);

    memset(&p, 0, sizeof p);
    p.direction = FW_DIR_INBOUND;
    p.protocol = 6;
    p.local = ipv4(192, 0, 2, 1);
    p.remote = ipv4(198, 51, 100, 7);
    p.local_port = 23;
    p.remote_port = 50000;
    p.icmp_type = -1;
    p.icmp_code = -1;
    p.profiles = FW_PROFILE_PUBLIC;
    OK(fw_ruleset_evaluate(&ev, rs, &p, 0));
    OK(fw_evaluation_get(ev, &ei));
    CHECK(ei.verdict == FW_VERDICT_BLOCKED_BY_RULE);
    CHECK(strcmp(fw_verdict_name(ei.verdict), "BlockedByRule") == 0);
    CHECK(ei.explanation != NULL && ei.explanation[0] != '\0');
    CHECK(ei.count >= 1);
    for (i = 0; i < ei.count; ++i) {
        OK(fw_evaluation_rule(ev, i, &rr));
        CHECK(rr.index < fw_ruleset_count(rs));
        CHECK(rr.text != NULL);
        CHECK(strcmp(fw_rule_reason_name(rr.reason), "Unknown") != 0);
        if (rr.deciding) {
            OK(fw_ruleset_get(rs, rr.index, &info));
            CHECK(strcmp(info.name, "block-telnet") == 0);
            CHECK(rr.applies == FW_APPLIES_YES);
            ++deciding;
        }
    }
    CHECK(deciding == 1);
    CHECK(fw_evaluation_rule(ev, ei.count, &rr) == FW_ITEROVER);

    /* The packet is bad: FW_EINVALID, no evaluation. */
    fw_evaluation_free(ev);
    ev = NULL;
    p.direction = 7;
    CHECK(fw_ruleset_evaluate(&ev, rs, &p, 0) == FW_EINVALID && ev == NULL);
done:
    fw_evaluation_free(ev);
    fw_ruleset_free(rs);
}

/* ---- synthesis ---------------------------------------------------------------------- */

static fw_synth_drop inbound_tcp(unsigned last_octet, int port, int64_t time) {
    fw_synth_drop d;
    memset(&d, 0, sizeof d);
    d.time = time;
    d.local = ipv4(192, 0, 2, 1);
    d.remote = ipv4(198, 51, 100, last_octet);
    d.local_port = port;
    d.remote_port = 50000;
    d.protocol = 6;
    d.icmp_type = -1;
    d.direction = FW_DIR_INBOUND;
    return d;
}

static void synthesis(void) {
    fw_synth *s = NULL;
    fw_ruleset *rs = NULL;
    fw_synth_drop drops[4];
    fw_synth_options o = FW_SYNTH_OPTIONS_INIT;
    fw_synth_candidate c;
    const char *scope[] = {"198.51.100.0/24"};
    size_t count = 0;

    drops[0] = inbound_tcp(7, 445, 1700000000);
    drops[1] = inbound_tcp(9, 445, 1700000100);
    drops[2] = inbound_tcp(7, 445, 1700000200);
    drops[3] = inbound_tcp(7, 3389, 1700000300);
    o.scope = NULL;
    o.scope_count = 0;
    OK(fw_synth_new(&s, &o));
    OK(fw_synth_add_drops(s, drops, 4));
    OK(fw_synth_run(s, &count));
    CHECK(count == 2); /* TCP 445 and TCP 3389 */
    OK(fw_synth_candidate_get(s, 0, &c));
    CHECK(c.status == FW_SYNTH_NEW);
    CHECK(c.direction == FW_DIR_INBOUND && c.protocol == 6);
    CHECK(c.port_lo == 445 && c.port_hi == 445);
    CHECK(c.hits == 3 && c.remote_seen_count == 2);
    CHECK(c.first_seen == 1700000000 && c.last_seen == 1700000200);
    CHECK(strcmp(c.protocol_text, "TCP") == 0);
    CHECK(strcmp(c.port, "445") == 0);
    CHECK(strcmp(c.remote_address, "198.51.100.7,198.51.100.9") == 0); /* exactly what was seen */
    CHECK(strncmp(c.name, "Fw-In-TCP-445-", 14) == 0);
    CHECK(c.rule_string[0] != '\0');
    CHECK(fw_synth_candidate_get(s, count, &c) == FW_ITEROVER);

    /* A bad drop: FW_EINVALID naming it, nothing added. */
    drops[0].direction = 9;
    CHECK(fw_synth_add_drops(s, drops, 1) == FW_EINVALID);
    CHECK(strstr(fw_error_last()->message, "0") != NULL);
    drops[0].direction = FW_DIR_INBOUND;

    /* The rules in force: an allow rule for 3389 from anywhere makes that candidate AlreadyAllowed.
       The ruleset is copied: it is freed before the run. */
    OK(fw_ruleset_new(&rs));
    OK(fw_ruleset_add(rs, "allow-rdp", "v2.10|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|Name=RDP|",
                      FW_STORE_LOCAL));
    OK(fw_synth_set_existing(s, rs));
    fw_ruleset_free(rs);
    rs = NULL;
    OK(fw_synth_run(s, &count));
    CHECK(count == 2);
    OK(fw_synth_candidate_get(s, 1, &c));
    CHECK(c.port_lo == 3389);
    CHECK(c.status == FW_SYNTH_ALREADY_ALLOWED);
    CHECK(strcmp(c.rule, "allow-rdp") == 0);
    fw_synth_free(s);
    s = NULL;

    /* A scope: the rule names the scope entry the drops matched, never more. */
    o.scope = scope;
    o.scope_count = 1;
    OK(fw_synth_new(&s, &o));
    OK(fw_synth_add_drops(s, drops, 3));
    OK(fw_synth_run(s, &count));
    CHECK(count == 1);
    OK(fw_synth_candidate_get(s, 0, &c));
    CHECK(strcmp(c.remote_address, "198.51.100.0/24") == 0);
    fw_synth_free(s);
    s = NULL;

    /* Bad options: FW_EINVALID naming the entry. */
    scope[0] = "198.51.100.0/33";
    CHECK(fw_synth_new(&s, &o) == FW_EINVALID && s == NULL);
    CHECK(strstr(fw_error_last()->message, "198.51.100.0/33") != NULL);
done:
    fw_ruleset_free(rs);
    fw_synth_free(s);
}

/* ---- cursor and bookmark -------------------------------------------------------------- */

static long read_file(const char *path, char **out) {
    FILE *f = fopen(path, "rb");
    long size;
    *out = NULL;
    if (f == NULL) return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    *out = (char *)malloc((size_t)size + 1);
    if (*out == NULL || fread(*out, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(*out);
        *out = NULL;
        return -1;
    }
    fclose(f);
    return size;
}

static int write_file(const char *path, const char *mode, const void *bytes, size_t size) {
    FILE *f = fopen(path, mode);
    int ok;
    if (f == NULL) return 0;
    ok = fwrite(bytes, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

/* Read every segment of a cursor opened at `from` (NULL: the start); counts records, returns the position. */
static int read_cursor(const char *live, const fw_position *from, uint64_t *records, fw_position *reached) {
    fw_cursor *c = NULL;
    fw_cursor_options o = FW_CURSOR_OPTIONS_INIT;
    fw_reader *r;
    const fw_record *recs;
    const char *seg_path;
    uint32_t warnings = 1;
    const char *message = NULL;
    size_t n;
    int source, rc;
    *records = 0;
    o.batch_size = 5;
    OK(fw_cursor_open(&c, live, from, &o));
    OK(fw_cursor_warnings(c, &warnings, &message));
    CHECK(warnings == 0 && message != NULL && message[0] == '\0');
    while ((rc = fw_cursor_segment(c, &r, &source, &seg_path)) == FW_OK) {
        CHECK(source == FW_SOURCE_LIVE);
        CHECK(strcmp(seg_path, live) == 0);
        while ((rc = fw_reader_next(r, &recs, &n)) == FW_OK) *records += n;
        CHECK(rc == FW_ITEROVER);
    }
    CHECK(rc == FW_ITEROVER);
    rc = fw_cursor_position(c, NULL, reached);
    CHECK(rc == FW_OK || (rc == FW_ITEROVER && from == NULL && *records == 0));
    fw_cursor_free(c);
    return 1;
done:
    fw_cursor_free(c);
    return 0;
}

static void cursor(void) {
    char source[4096], live[4096], bookmark[4096];
    char *text = NULL;
    long size, half;
    uint64_t first = 0, second = 0, third = 0;
    fw_position pos, loaded, end;
    fw_file_id id;
    int match = -1;
    char paths[1];
    size_t needed = 0, npaths = 0;

    join(source, sizeof source, data_dir, "log/formats-section7.log");
    join(live, sizeof live, scratch_dir, "drive-live.log");
    join(bookmark, sizeof bookmark, scratch_dir, "drive-bookmark.bin");
    size = read_file(source, &text);
    if (size <= 0) {
        CHECK(!"cannot read formats-section7.log");
        return;
    }
    /* The first part of the log, cut after a whole line near the middle. */
    half = size / 2;
    while (half < size && text[half - 1] != '\n') ++half;
    remove(live);
    if (!write_file(live, "wb", text, (size_t)half)) {
        CHECK(!"cannot write the scratch log");
        goto done;
    }

    /* Run 1: from the start; the position goes to a bookmark file, as a scheduled task would keep it. */
    if (!read_cursor(live, NULL, &first, &pos)) goto done;
    CHECK(first > 0 && first < 34);
    CHECK(pos.offset == (uint64_t)half);
    CHECK(pos.file.size == (uint64_t)half && pos.file.prefix_len > 0);
    CHECK(write_file(bookmark, "wb", &pos, sizeof pos));

    /* The service appends the rest. */
    CHECK(write_file(live, "ab", text + half, (size_t)(size - half)));
    OK(fw_file_identify(live, FW_PREFIX_MAX, &id));
    CHECK(id.size == (uint64_t)size);
    OK(fw_file_compare(live, &pos.file, &match));
    CHECK(match == FW_FILE_SAME); /* it grew, it is the same file */

    /* Run 2: from the bookmark read back; exactly the rest. */
    {
        char *saved = NULL;
        long got = read_file(bookmark, &saved);
        CHECK(got == (long)sizeof loaded);
        if (got == (long)sizeof loaded) memcpy(&loaded, saved, sizeof loaded);
        free(saved);
        if (got != (long)sizeof loaded) goto done;
    }
    if (!read_cursor(live, &loaded, &second, &end)) goto done;
    CHECK(first + second == 34); /* a split read delivers what one read delivers */
    CHECK(end.offset == (uint64_t)size);

    /* Run 3: nothing new. */
    if (!read_cursor(live, &end, &third, &pos)) goto done;
    CHECK(third == 0);
    CHECK(pos.offset == (uint64_t)size);

    /* A plan from the end: nothing to read; from a position past the end: truncation, said so. */
    {
        fw_plan plan;
        OK(fw_log_plan(live, &end, 0, &plan));
        CHECK(plan.count == 0 && plan.warnings == 0);
        end.offset = (uint64_t)size + 100;
        end.file.size = (uint64_t)size + 100;
        OK(fw_log_plan(live, &end, 0, &plan));
        CHECK((plan.warnings & FW_WARN_TRUNCATED) != 0);
        CHECK(plan.count == 1 && plan.segments[0].start == 0);
    }

    /* Where Windows writes logs: elsewhere FW_ENOTFOUND; on Windows at least one path. */
    {
        int rc = fw_log_default_paths(paths, sizeof paths, &needed, &npaths);
#ifdef _WIN32
        CHECK(rc == FW_EBUFS || rc == FW_OK);
        CHECK(needed > 1);
#else
        CHECK(rc == FW_ENOTFOUND);
#endif
    }
done:
    remove(live);
    remove(bookmark);
    free(text);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <tests/data directory> <scratch directory>\n", argv[0]);
        return 2;
    }
    data_dir = argv[1];
    scratch_dir = argv[2];
    versions();
    missing_file();
    reading();
    summary();
    rules();
    synthesis();
    cursor();
    if (failures != 0) {
        fprintf(stderr, "fw_abi_drive: %d check(s) failed\n", failures);
        return 1;
    }
    printf("fw_abi_drive: fwcore %s (ABI %d): every check passed\n", fw_version(), fw_abi_version());
    return 0;
}
