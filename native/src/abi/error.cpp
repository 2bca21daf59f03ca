#include "abi/error.hpp"

#include <array>
#include <cstring>

namespace fw::abi {
// Thread-local, so concurrent readers on other threads never see each other's errors.
struct last_error {
    std::string message;
    fw_error view{"", FW_OK, FW_ERRCLASS_NONE, 0, 0, 0};
};

static last_error &current() noexcept {
    thread_local last_error e;
    return e;
}

int set_error(int code, int klass, std::string_view message, int os_error, std::int64_t line,
              std::int64_t column) noexcept {
    auto &e = current();
    try {
        e.message.assign(message);
        e.view.message = e.message.c_str();
    } catch (...) {
        // No memory for the text: fall back to the static description.
        e.view.message = fw_errstr(code);
    }
    e.view.code = code;
    e.view.klass = klass;
    e.view.os_error = os_error;
    e.view.line = line;
    e.view.column = column;
    return code;
}

void clear_error() noexcept {
    auto &e = current();
    e.message.clear();
    e.view = fw_error{"", FW_OK, FW_ERRCLASS_NONE, 0, 0, 0};
}

} // namespace fw::abi

extern "C" {

FW_API(const fw_error *) fw_error_last(void) { return &fw::abi::current().view; }

FW_API(void) fw_error_clear(void) { fw::abi::clear_error(); }

FW_API(const char *) fw_errstr(int code) {
    switch (code) {
    case FW_OK: return "no error";
    case FW_ERROR: return "internal error";
    case FW_EINVALID: return "invalid argument";
    case FW_ENOTFOUND: return "not found";
    case FW_EACCESS: return "permission denied";
    case FW_ENOMEM: return "out of memory";
    case FW_EBUFS: return "buffer too small";
    case FW_EIO: return "input/output error";
    case FW_EFORMAT: return "bad format";
    case FW_ECONFLICT: return "conflict";
    case FW_ITEROVER: return "iteration over";
    default: return "unknown status";
    }
}

FW_API(const char *) fw_version(void) { return FW_VERSION; }

FW_API(int) fw_abi_version(void) { return FW_ABI_VERSION; }

} // extern "C"
