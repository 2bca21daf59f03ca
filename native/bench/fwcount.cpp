// fwcount: filter-and-count over a pfirewall.log through the public C ABI.
//
//   fwcount FILE [--action X] [--protocol X] [--src X] [--dst X] [--src-port X]
//                [--dst-port X] [--direction X] [--batch N] [--threads N] [--print]
//
// Each option may repeat (values OR'ed); options AND. Prints
//   matched=N records=N bytes=N seconds=S GB/s=R
// and, with --print, every matched record first (one line each). --threads 0 (the
// default) reads with one thread per core, --threads 1 on the calling thread.
// --summary counts the matches as Measure-FwDrop does by default (fw_summary by
// direction, protocol, local port, through fw_summary_read: each reading thread
// counts its part; the reader types only those fields, unless --all-fields) and
// prints groups=N (--digest: and a digest of the ranked groups, to compare
// runs); --summary-add counts the same batches handed out by fw_reader_next with
// fw_summary_add (same groups, same digest).
#include "bench_util.hpp"

#include <fw/fw.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int usage() {
    std::fprintf(stderr, "usage: fwcount FILE [--action X] [--protocol X] [--src X] [--dst X] [--src-port X] "
                         "[--dst-port X] [--direction X] [--batch N] [--threads N] [--print] [--summary|--summary-add [--digest] [--all-fields]]\n");
    return 2;
}

int fail(const char *what) {
    const fw_error *e = fw_error_last();
    std::fprintf(stderr, "fwcount: %s: %s (%s)\n", what, e->message, fw_errstr(e->code));
    return 1;
}

std::string addr(const fw_addr &a) {
    char buf[64];
    if (a.family == FW_AF_INET) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
    } else if (a.family == FW_AF_INET6) {
        int n = 0;
        for (int i = 0; i < 16; i += 2)
            n += std::snprintf(buf + n, sizeof buf - static_cast<size_t>(n), "%s%x", i ? ":" : "",
                               (a.bytes[i] << 8) | a.bytes[i + 1]);
    } else {
        return "-";
    }
    return buf;
}

void print(const fw_record &r) {
    std::printf("%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\t%u\t%d\t%s\t%s\t%d\t%d\t%" PRId64 "\t%s\t%" PRId64 "\t%" PRId64
                "\t%d\t%d\t%d\t%" PRId64 "\t%u\t%" PRId64 "\n",
                r.line, r.offset, r.time, r.action, r.protocol, addr(r.src).c_str(), addr(r.dst).c_str(), r.src_port,
                r.dst_port, r.size, r.tcp_flags, r.tcp_syn, r.tcp_ack, r.tcp_win, r.icmp_type, r.icmp_code, r.info,
                r.path, r.pid);
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) return usage();
    const char *path = argv[1];
    fw_filter *filter = nullptr;
    if (fw_filter_new(&filter) != FW_OK) return fail("filter");
    fw_reader_options opts = FW_READER_OPTIONS_INIT;
    bool print_records = false, summarise = false, by_batches = false, all_fields = false, digest_groups = false;
    for (int i = 2; i < argc; ++i) {
        std::string opt = argv[i];
        if (opt == "--print") {
            print_records = true;
            continue;
        }
        if (opt == "--summary" || opt == "--summary-add") {
            summarise = true;
            by_batches = opt == "--summary-add";
            continue;
        }
        if (opt == "--digest") {
            digest_groups = true;
            continue;
        }
        if (opt == "--all-fields") {
            all_fields = true;
            continue;
        }
        if (i + 1 >= argc) return usage();
        const char *value = argv[++i];
        int field = 0;
        if (opt == "--action") field = FW_FILTER_ACTION;
        else if (opt == "--protocol") field = FW_FILTER_PROTOCOL;
        else if (opt == "--src") field = FW_FILTER_SRC_ADDRESS;
        else if (opt == "--dst") field = FW_FILTER_DST_ADDRESS;
        else if (opt == "--src-port") field = FW_FILTER_SRC_PORT;
        else if (opt == "--dst-port") field = FW_FILTER_DST_PORT;
        else if (opt == "--direction") field = FW_FILTER_DIRECTION;
        else if (opt == "--batch") {
            opts.batch_size = static_cast<uint32_t>(std::strtoul(value, nullptr, 10));
            continue;
        } else if (opt == "--threads") {
            opts.threads = static_cast<uint32_t>(std::strtoul(value, nullptr, 10));
            continue;
        } else return usage();
        if (fw_filter_add(filter, field, value) != FW_OK) return fail(opt.c_str());
    }
    opts.filter = filter;
    fw_summary *summary = nullptr;
    if (summarise) {
        const int keys[] = {FW_KEY_DIRECTION, FW_KEY_PROTOCOL, FW_KEY_LOCAL_PORT};
        if (fw_summary_new(&summary, keys, 3) != FW_OK) return fail("summary");
        if (!all_fields && fw_summary_fields(summary, &opts.fields) != FW_OK) return fail("summary fields");
    }

    const auto t0 = fw_bench::clock::now();
    fw_reader *reader = nullptr;
    if (fw_reader_open(&reader, path, &opts) != FW_OK) return fail("open");
    fw_filter_free(filter);
    std::uint64_t matched = 0;
    const fw_record *records = nullptr;
    size_t count = 0;
    int rc;
    if (summary != nullptr && !by_batches) {
        std::uint64_t n = 0;
        while ((rc = fw_summary_read(summary, reader, &n)) == FW_OK) matched += n;
    } else while ((rc = fw_reader_next(reader, &records, &count)) == FW_OK) {
        matched += count;
        if (summary != nullptr && fw_summary_add(summary, records, count) != FW_OK) return fail("summary add");
        if (print_records)
            for (size_t i = 0; i < count; ++i) print(records[i]);
    }
    if (rc != FW_ITEROVER) return fail("read");
    if (summary != nullptr) {
        size_t groups = 0;
        if (fw_summary_finish(summary, &groups) != FW_OK) return fail("summary finish");
        std::printf("groups=%zu ", groups);
        if (digest_groups) {
            std::uint64_t digest = 1469598103934665603ull; // FNV-1a over the ranked groups' bytes
            fw_summary_group g;
            for (size_t i = 0; fw_summary_group_get(summary, i, &g) == FW_OK; ++i)
                for (size_t k = 0; k < sizeof g; ++k) digest = (digest ^ reinterpret_cast<const unsigned char *>(&g)[k]) * 1099511628211ull;
            std::printf("digest=%016" PRIx64 " ", digest);
        }
        fw_summary_free(summary);
    }
    fw_reader_stats st{};
    fw_reader_stats_get(reader, &st);
    const double secs = fw_bench::seconds_since(t0);
    std::printf("matched=%" PRIu64 " records=%" PRIu64 " bytes=%" PRIu64 " seconds=%.3f GB/s=%.2f\n", matched,
                st.records, st.file_size, secs, secs > 0 ? static_cast<double>(st.file_size) / secs / 1e9 : 0.0);
    if (st.skipped != 0 || st.partial_tail != 0) {
        std::fprintf(stderr, "fwcount: %" PRIu64 " malformed line(s) skipped%s\n", st.skipped,
                     st.partial_tail ? ", incomplete last line not read" : "");
        const char *msg = nullptr;
        uint64_t line = 0;
        for (size_t i = 0; fw_reader_diagnostic(reader, i, &line, &msg) == FW_OK; ++i)
            std::fprintf(stderr, "  %s\n", msg);
    }
    fw_reader_free(reader);
    return 0;
}
