// C ABI of the logging settings and the log folder's permission (fw/logging.h).
#include <fw/logging.h>

#include "abi/error.hpp"
#include "io/file.hpp"
#include "rules/ruleset.hpp"
#include "win/acl.hpp"
#include "win/log_policy.hpp"

#include <fmt/format.h>

#include <array>
#include <memory>
#include <span>
#include <string>

struct fw_logging_policy {
    std::array<fw::win::logging_profile, 3> profiles;
};

extern "C" {

FW_API(int) fw_logging_policy_read(fw_logging_policy **out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_logging_policy_read: out is NULL");
        *out = nullptr;
        auto source = fw::win::registry_source();
        *out = std::make_unique<fw_logging_policy>(fw_logging_policy{fw::win::resolve_logging(*source)}).release();
        return FW_OK;
    });
}

FW_API(int) fw_logging_policy_load_reg(fw_logging_policy **out, const char *path) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_logging_policy_load_reg: out is NULL");
        *out = nullptr;
        FW_CHECK_ARG(path != nullptr && *path != '\0', "fw_logging_policy_load_reg: path is NULL or empty");
        const std::string bytes = fw::io::read_whole_file(path, "a .reg export");
        const std::string text = fw::rules::decode_text(std::as_bytes(std::span<const char>(bytes)));
        try {
            auto source = fw::win::reg_export_source(text);
            *out = std::make_unique<fw_logging_policy>(fw_logging_policy{fw::win::resolve_logging(*source)}).release();
        } catch (const fw::error &e) {
            if (e.code() != FW_EFORMAT) throw;
            throw fw::error(e.code(), e.klass(), fmt::format("'{}': {}", path, e.what()), 0, e.line());
        }
        return FW_OK;
    });
}

FW_API(int) fw_logging_policy_get(const fw_logging_policy *policy, size_t index, fw_logging_profile *out) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(out != nullptr, "fw_logging_policy_get: out is NULL");
        *out = fw_logging_profile{};
        FW_CHECK_ARG(policy != nullptr, "fw_logging_policy_get: policy is NULL");
        if (index >= policy->profiles.size()) return FW_ITEROVER;
        const auto &p = policy->profiles[index];
        out->profile = p.profile;
        out->log_dropped = p.dropped ? 1 : 0;
        out->log_dropped_origin = static_cast<uint32_t>(p.dropped_origin);
        out->log_allowed = p.allowed ? 1 : 0;
        out->log_allowed_origin = static_cast<uint32_t>(p.allowed_origin);
        out->max_size_kb = p.size_kb;
        out->max_size_origin = static_cast<uint32_t>(p.size_origin);
        out->file_origin = static_cast<uint32_t>(p.file_origin);
        out->file_name = p.file_name.c_str();
        out->file_path = p.file_path.c_str();
        out->policy_key = p.policy_key.c_str();
        out->local_key = p.local_key.c_str();
        return FW_OK;
    });
}

FW_API(void) fw_logging_policy_free(fw_logging_policy *policy) { delete policy; }

FW_API(int) fw_service_sid(const char *service_name, char *buffer, size_t size, size_t *needed) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(needed != nullptr, "fw_service_sid: needed is NULL");
        *needed = 0;
        FW_CHECK_ARG(service_name != nullptr && *service_name != '\0', "fw_service_sid: service_name is NULL or empty");
        FW_CHECK_ARG(buffer != nullptr || size == 0, "fw_service_sid: buffer is NULL but size is not 0");
        const std::string sid = fw::win::service_sid(service_name);
        *needed = sid.size() + 1;
        if (size < sid.size() + 1)
            return fw::abi::set_error(FW_EBUFS, FW_ERRCLASS_ARGUMENT, "fw_service_sid: buffer too small");
        std::memcpy(buffer, sid.c_str(), sid.size() + 1);
        return FW_OK;
    });
}

FW_API(int) fw_logging_folder_check(const char *folder, int *can_write) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(can_write != nullptr, "fw_logging_folder_check: can_write is NULL");
        *can_write = 0;
        FW_CHECK_ARG(folder != nullptr && *folder != '\0', "fw_logging_folder_check: folder is NULL or empty");
        const auto dacl = fw::win::read_folder_dacl(folder);
        *can_write = (dacl.null_dacl || fw::win::service_can_write(dacl.entries)) ? 1 : 0;
        return FW_OK;
    });
}

FW_API(int) fw_logging_folder_grant(const char *folder) {
    return fw::abi::guard([&]() -> int {
        FW_CHECK_ARG(folder != nullptr && *folder != '\0', "fw_logging_folder_grant: folder is NULL or empty");
        fw::win::grant_firewall_service(folder);
        return FW_OK;
    });
}

} // extern "C"
