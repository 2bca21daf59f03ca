// The error side of the C ABI: a thread-local last error and one exception
// funnel that every export goes through, so nothing throws across the seam.
#pragma once

// fw::error and fw::fail_invalid live in core/error.hpp (the core includes that, not abi/).
#include "core/error.hpp"

#include <fw/common.h>

#include <cstdint>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace fw {

namespace abi {

// Record an error for fw_error_last() on this thread and return code.
int set_error(int code, int klass, std::string_view message, int os_error = 0, std::int64_t line = 0,
              std::int64_t column = 0) noexcept;
void clear_error() noexcept;

// Run f (returning int) and map every exception to a status code.
template <class F>
int guard(F &&f) noexcept {
    try {
        clear_error();
        return std::forward<F>(f)();
    } catch (const fw::error &e) {
        return set_error(e.code(), e.klass(), e.what(), e.os_error(), e.line(), e.column());
    } catch (const std::bad_alloc &) {
        return set_error(FW_ENOMEM, FW_ERRCLASS_MEMORY, "out of memory");
    } catch (const std::exception &e) {
        return set_error(FW_ERROR, FW_ERRCLASS_INTERNAL, e.what());
    } catch (...) {
        return set_error(FW_ERROR, FW_ERRCLASS_INTERNAL, "unknown internal error");
    }
}

// Checks for ABI inputs: explicit, returning errors (never GSL terminate).
#define FW_CHECK_ARG(cond, msg)                                                                    \
    do {                                                                                           \
        if (!(cond)) return ::fw::abi::set_error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, (msg));        \
    } while (0)

} // namespace abi
} // namespace fw
