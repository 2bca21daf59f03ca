/*
 * layout.c - the layout of every public struct of the fwcore C ABI, as the C
 * compiler lays it out: one line per struct and per field, generated at build
 * time (fw-abi-layout.txt next to the build's CMakeCache.txt). The Pester test
 * tests/pester/AbiLayout.Tests.ps1 compares it with the module's P/Invoke
 * structs (Marshal.SizeOf / Marshal.OffsetOf); the ctest abi_layout_complete
 * compares its field names with the struct declarations in native/include/fw/.
 *
 * CONTRIBUTORS: a struct added to a header in native/include/fw/ goes into the list
 * below (FW_STRUCT, then one FW_FIELD per member, in declaration order). A
 * forgotten struct or field fails abi_layout_complete; a field forgotten in the
 * middle of a struct also fails here (the next field's offset leaves a gap
 * that alignment does not explain).
 *
 * Output (whitespace-separated; '#' starts a comment line):
 *   struct <name> <sizeof> <alignment>
 *   field <struct> <name> <offset> <size>
 *
 * Usage: fw_abi_layout [output-file]   (stdout without an argument)
 * Exit status: 0, or 1 when the listing does not account for a struct's bytes.
 */
#include <fw/fw.h>

#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define FW_ALIGNOF_EXPR(e) __alignof__(e)
#elif defined(_MSC_VER)
#define FW_ALIGNOF_EXPR(e) __alignof(e)
#endif

struct layout_field {
    const char *name;
    size_t offset;
    size_t size;
    size_t align;
};

struct layout_struct {
    const char *name;
    size_t size;
    size_t align;
    const struct layout_field *fields;
    size_t count;
};

#define FW_FIELD(type, member)                                                                      \
    { #member, offsetof(type, member), sizeof(((type *)0)->member), FW_ALIGNOF_EXPR(((type *)0)->member) }

/* The list. One block per public struct, in header order. */
static const struct layout_field fw_error_layout[] = {
    FW_FIELD(fw_error, message), FW_FIELD(fw_error, code),  FW_FIELD(fw_error, klass),
    FW_FIELD(fw_error, os_error), FW_FIELD(fw_error, line), FW_FIELD(fw_error, column),
};
static const struct layout_field fw_addr_layout[] = {
    FW_FIELD(fw_addr, family), FW_FIELD(fw_addr, reserved), FW_FIELD(fw_addr, bytes),
};
static const struct layout_field fw_record_layout[] = {
    FW_FIELD(fw_record, time),     FW_FIELD(fw_record, offset),    FW_FIELD(fw_record, line),
    FW_FIELD(fw_record, src),      FW_FIELD(fw_record, dst),       FW_FIELD(fw_record, size),
    FW_FIELD(fw_record, tcp_syn),  FW_FIELD(fw_record, tcp_ack),   FW_FIELD(fw_record, info),
    FW_FIELD(fw_record, pid),      FW_FIELD(fw_record, src_port),  FW_FIELD(fw_record, dst_port),
    FW_FIELD(fw_record, tcp_win),  FW_FIELD(fw_record, protocol),  FW_FIELD(fw_record, icmp_type),
    FW_FIELD(fw_record, icmp_code), FW_FIELD(fw_record, action),   FW_FIELD(fw_record, path),
    FW_FIELD(fw_record, tcp_flags),
};
static const struct layout_field fw_reader_options_layout[] = {
    FW_FIELD(fw_reader_options, version),
    FW_FIELD(fw_reader_options, batch_size),
    FW_FIELD(fw_reader_options, start_offset),
    FW_FIELD(fw_reader_options, filter),
    FW_FIELD(fw_reader_options, threads),
    FW_FIELD(fw_reader_options, fields),
};
static const struct layout_field fw_expr_node_layout[] = {
    FW_FIELD(fw_expr_node, kind), FW_FIELD(fw_expr_node, field), FW_FIELD(fw_expr_node, flags),
    FW_FIELD(fw_expr_node, first), FW_FIELD(fw_expr_node, count),
};
static const struct layout_field fw_expr_layout[] = {
    FW_FIELD(fw_expr, version),   FW_FIELD(fw_expr, nodes),         FW_FIELD(fw_expr, node_count),
    FW_FIELD(fw_expr, children),  FW_FIELD(fw_expr, child_count),   FW_FIELD(fw_expr, numbers),
    FW_FIELD(fw_expr, number_count), FW_FIELD(fw_expr, addresses), FW_FIELD(fw_expr, address_count),
    FW_FIELD(fw_expr, text),      FW_FIELD(fw_expr, text_size),
};
static const struct layout_field fw_logging_profile_layout[] = {
    FW_FIELD(fw_logging_profile, profile),          FW_FIELD(fw_logging_profile, log_dropped),
    FW_FIELD(fw_logging_profile, log_dropped_origin), FW_FIELD(fw_logging_profile, log_allowed),
    FW_FIELD(fw_logging_profile, log_allowed_origin), FW_FIELD(fw_logging_profile, max_size_kb),
    FW_FIELD(fw_logging_profile, max_size_origin),  FW_FIELD(fw_logging_profile, file_origin),
    FW_FIELD(fw_logging_profile, file_name),        FW_FIELD(fw_logging_profile, file_path),
    FW_FIELD(fw_logging_profile, policy_key),       FW_FIELD(fw_logging_profile, local_key),
};
static const struct layout_field fw_reader_stats_layout[] = {
    FW_FIELD(fw_reader_stats, file_size),    FW_FIELD(fw_reader_stats, position),
    FW_FIELD(fw_reader_stats, lines),        FW_FIELD(fw_reader_stats, records),
    FW_FIELD(fw_reader_stats, matched),      FW_FIELD(fw_reader_stats, skipped),
    FW_FIELD(fw_reader_stats, skipped_lines), FW_FIELD(fw_reader_stats, headers),
    FW_FIELD(fw_reader_stats, layout_changes), FW_FIELD(fw_reader_stats, encoding),
    FW_FIELD(fw_reader_stats, partial_tail), FW_FIELD(fw_reader_stats, has_pid),
    FW_FIELD(fw_reader_stats, notes),        FW_FIELD(fw_reader_stats, nul_bytes),
};
static const struct layout_field fw_file_id_layout[] = {
    FW_FIELD(fw_file_id, volume),      FW_FIELD(fw_file_id, index_lo),   FW_FIELD(fw_file_id, index_hi),
    FW_FIELD(fw_file_id, size),        FW_FIELD(fw_file_id, prefix_hash), FW_FIELD(fw_file_id, prefix_len),
    FW_FIELD(fw_file_id, has_os_id),
};
static const struct layout_field fw_position_layout[] = {
    FW_FIELD(fw_position, file), FW_FIELD(fw_position, offset), FW_FIELD(fw_position, before),
};
static const struct layout_field fw_segment_layout[] = {
    FW_FIELD(fw_segment, source), FW_FIELD(fw_segment, reserved), FW_FIELD(fw_segment, start),
    FW_FIELD(fw_segment, file),
};
static const struct layout_field fw_plan_layout[] = {
    FW_FIELD(fw_plan, count), FW_FIELD(fw_plan, warnings), FW_FIELD(fw_plan, segments),
};
static const struct layout_field fw_cursor_options_layout[] = {
    FW_FIELD(fw_cursor_options, version),    FW_FIELD(fw_cursor_options, flags),
    FW_FIELD(fw_cursor_options, batch_size), FW_FIELD(fw_cursor_options, reserved),
    FW_FIELD(fw_cursor_options, filter),
};
static const struct layout_field fw_rule_info_layout[] = {
    FW_FIELD(fw_rule_info, name),
    FW_FIELD(fw_rule_info, display_name),
    FW_FIELD(fw_rule_info, description),
    FW_FIELD(fw_rule_info, group),
    FW_FIELD(fw_rule_info, program),
    FW_FIELD(fw_rule_info, service),
    FW_FIELD(fw_rule_info, package),
    FW_FIELD(fw_rule_info, protocol),
    FW_FIELD(fw_rule_info, local_ports),
    FW_FIELD(fw_rule_info, remote_ports),
    FW_FIELD(fw_rule_info, local_addresses),
    FW_FIELD(fw_rule_info, remote_addresses),
    FW_FIELD(fw_rule_info, icmp_types),
    FW_FIELD(fw_rule_info, interface_types),
    FW_FIELD(fw_rule_info, interfaces),
    FW_FIELD(fw_rule_info, security),
    FW_FIELD(fw_rule_info, remote_machine_auth),
    FW_FIELD(fw_rule_info, remote_user_auth),
    FW_FIELD(fw_rule_info, local_user_auth),
    FW_FIELD(fw_rule_info, local_user_owner),
    FW_FIELD(fw_rule_info, other_tokens),
    FW_FIELD(fw_rule_info, unknown_tokens),
    FW_FIELD(fw_rule_info, raw),
    FW_FIELD(fw_rule_info, source),
    FW_FIELD(fw_rule_info, line),
    FW_FIELD(fw_rule_info, protocol_number),
    FW_FIELD(fw_rule_info, direction),
    FW_FIELD(fw_rule_info, action),
    FW_FIELD(fw_rule_info, store),
    FW_FIELD(fw_rule_info, profiles),
    FW_FIELD(fw_rule_info, flags),
    FW_FIELD(fw_rule_info, local_port_keywords),
    FW_FIELD(fw_rule_info, remote_port_keywords),
    FW_FIELD(fw_rule_info, version_major),
    FW_FIELD(fw_rule_info, version_minor),
};
static const struct layout_field fw_rule_diagnostic_layout[] = {
    FW_FIELD(fw_rule_diagnostic, name), FW_FIELD(fw_rule_diagnostic, source), FW_FIELD(fw_rule_diagnostic, message),
    FW_FIELD(fw_rule_diagnostic, line), FW_FIELD(fw_rule_diagnostic, column),
};
static const struct layout_field fw_packet_layout[] = {
    FW_FIELD(fw_packet, direction),  FW_FIELD(fw_packet, protocol),    FW_FIELD(fw_packet, local),
    FW_FIELD(fw_packet, remote),     FW_FIELD(fw_packet, local_port),  FW_FIELD(fw_packet, remote_port),
    FW_FIELD(fw_packet, icmp_type),  FW_FIELD(fw_packet, icmp_code),   FW_FIELD(fw_packet, profiles),
};
static const struct layout_field fw_evaluation_info_layout[] = {
    FW_FIELD(fw_evaluation_info, verdict), FW_FIELD(fw_evaluation_info, explanation),
    FW_FIELD(fw_evaluation_info, count),
};
static const struct layout_field fw_rule_result_layout[] = {
    FW_FIELD(fw_rule_result, index),      FW_FIELD(fw_rule_result, applies), FW_FIELD(fw_rule_result, reason),
    FW_FIELD(fw_rule_result, conditions), FW_FIELD(fw_rule_result, enabled), FW_FIELD(fw_rule_result, deciding),
    FW_FIELD(fw_rule_result, text),
};
static const struct layout_field fw_summary_group_layout[] = {
    FW_FIELD(fw_summary_group, count),      FW_FIELD(fw_summary_group, first_time),
    FW_FIELD(fw_summary_group, last_time),  FW_FIELD(fw_summary_group, bytes),
    FW_FIELD(fw_summary_group, hour),       FW_FIELD(fw_summary_group, src),
    FW_FIELD(fw_summary_group, dst),        FW_FIELD(fw_summary_group, local),
    FW_FIELD(fw_summary_group, remote),     FW_FIELD(fw_summary_group, pid),
    FW_FIELD(fw_summary_group, src_port),   FW_FIELD(fw_summary_group, dst_port),
    FW_FIELD(fw_summary_group, local_port), FW_FIELD(fw_summary_group, remote_port),
    FW_FIELD(fw_summary_group, protocol),   FW_FIELD(fw_summary_group, icmp_type),
    FW_FIELD(fw_summary_group, action),     FW_FIELD(fw_summary_group, path),
    FW_FIELD(fw_summary_group, reserved),
};
static const struct layout_field fw_synth_drop_layout[] = {
    FW_FIELD(fw_synth_drop, time),        FW_FIELD(fw_synth_drop, local),    FW_FIELD(fw_synth_drop, remote),
    FW_FIELD(fw_synth_drop, local_port),  FW_FIELD(fw_synth_drop, remote_port), FW_FIELD(fw_synth_drop, protocol),
    FW_FIELD(fw_synth_drop, icmp_type),   FW_FIELD(fw_synth_drop, direction), FW_FIELD(fw_synth_drop, reserved),
};
static const struct layout_field fw_synth_options_layout[] = {
    FW_FIELD(fw_synth_options, version),     FW_FIELD(fw_synth_options, scope),
    FW_FIELD(fw_synth_options, scope_count), FW_FIELD(fw_synth_options, merge_ports),
    FW_FIELD(fw_synth_options, use_rpc_keyword), FW_FIELD(fw_synth_options, profile),
};
static const struct layout_field fw_synth_candidate_layout[] = {
    FW_FIELD(fw_synth_candidate, status),         FW_FIELD(fw_synth_candidate, flags),
    FW_FIELD(fw_synth_candidate, direction),      FW_FIELD(fw_synth_candidate, reserved),
    FW_FIELD(fw_synth_candidate, protocol),       FW_FIELD(fw_synth_candidate, port_lo),
    FW_FIELD(fw_synth_candidate, port_hi),        FW_FIELD(fw_synth_candidate, profile),
    FW_FIELD(fw_synth_candidate, hits),           FW_FIELD(fw_synth_candidate, remote_seen_count),
    FW_FIELD(fw_synth_candidate, first_seen),     FW_FIELD(fw_synth_candidate, last_seen),
    FW_FIELD(fw_synth_candidate, name),           FW_FIELD(fw_synth_candidate, protocol_text),
    FW_FIELD(fw_synth_candidate, port),           FW_FIELD(fw_synth_candidate, icmp_type),
    FW_FIELD(fw_synth_candidate, remote_address), FW_FIELD(fw_synth_candidate, remote_seen),
    FW_FIELD(fw_synth_candidate, rule),           FW_FIELD(fw_synth_candidate, rule_string),
};

#define FW_STRUCT(type)                                                                             \
    { #type, sizeof(type), FW_ALIGNOF_EXPR(*(type *)0), type##_layout,                              \
      sizeof(type##_layout) / sizeof(type##_layout[0]) }

static const struct layout_struct fw_structs[] = {
    /* fw/common.h */
    FW_STRUCT(fw_error),
    FW_STRUCT(fw_addr),
    /* fw/log.h */
    FW_STRUCT(fw_record),
    FW_STRUCT(fw_reader_options),
    FW_STRUCT(fw_reader_stats),
    /* fw/cursor.h */
    FW_STRUCT(fw_file_id),
    FW_STRUCT(fw_position),
    FW_STRUCT(fw_segment),
    FW_STRUCT(fw_plan),
    FW_STRUCT(fw_cursor_options),
    /* fw/rules.h */
    FW_STRUCT(fw_rule_info),
    FW_STRUCT(fw_rule_diagnostic),
    FW_STRUCT(fw_packet),
    FW_STRUCT(fw_evaluation_info),
    FW_STRUCT(fw_rule_result),
    /* fw/summary.h */
    FW_STRUCT(fw_summary_group),
    /* fw/synth.h */
    FW_STRUCT(fw_synth_drop),
    FW_STRUCT(fw_synth_options),
    FW_STRUCT(fw_synth_candidate),
    FW_STRUCT(fw_expr_node),
    FW_STRUCT(fw_expr),
    FW_STRUCT(fw_logging_profile),
};

static size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

/* Every byte of the struct is a listed field or padding that alignment
 * requires: so the listing names every member (up to a member hidden in
 * trailing padding, which abi_layout_complete catches by name). */
static int check_accounted(const struct layout_struct *s) {
    size_t end = 0;
    size_t i;
    for (i = 0; i < s->count; ++i) {
        const struct layout_field *f = &s->fields[i];
        if (f->offset != align_up(end, f->align)) {
            fprintf(stderr,
                    "fw_abi_layout: %s.%s is at offset %lu, expected %lu after the previous listed field: "
                    "a field is missing from the list in tests/native/abi/layout.c, or is out of order\n",
                    s->name, f->name, (unsigned long)f->offset, (unsigned long)align_up(end, f->align));
            return 0;
        }
        end = f->offset + f->size;
    }
    if (s->size != align_up(end, s->align)) {
        fprintf(stderr,
                "fw_abi_layout: %s is %lu bytes but its listed fields end at %lu: a field is missing from the "
                "list in tests/native/abi/layout.c\n",
                s->name, (unsigned long)s->size, (unsigned long)end);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    FILE *out = stdout;
    size_t i, j;
    int ok = 1;
    for (i = 0; i < sizeof fw_structs / sizeof fw_structs[0]; ++i) ok &= check_accounted(&fw_structs[i]);
    if (!ok) return 1;
    if (argc > 1) {
        out = fopen(argv[1], "w");
        if (out == NULL) {
            perror(argv[1]);
            return 1;
        }
    }
    fprintf(out, "# fwcore ABI %d: public struct layouts (tests/native/abi/layout.c), pointer size %lu\n",
            FW_ABI_VERSION, (unsigned long)sizeof(void *));
    fprintf(out, "# struct <name> <sizeof> <alignment>\n# field <struct> <name> <offset> <size>\n");
    for (i = 0; i < sizeof fw_structs / sizeof fw_structs[0]; ++i) {
        const struct layout_struct *s = &fw_structs[i];
        fprintf(out, "struct %s %lu %lu\n", s->name, (unsigned long)s->size, (unsigned long)s->align);
        for (j = 0; j < s->count; ++j)
            fprintf(out, "field %s %s %lu %lu\n", s->name, s->fields[j].name, (unsigned long)s->fields[j].offset,
                    (unsigned long)s->fields[j].size);
    }
    if (out != stdout && fclose(out) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}
