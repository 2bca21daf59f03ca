// fw::error: the exception the core throws for expected failures (bad input,
// missing files), carrying an fw_status code and fw_error_class. Only the ABI
// layer (abi/error.hpp, fw::abi::guard) turns it into a status and a last error;
// the core includes this header, never abi/.
#pragma once

#include <fw/common.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace fw {

class error : public std::runtime_error {
public:
    error(int code, int klass, std::string message, int os_error = 0, std::int64_t line = 0,
          std::int64_t column = 0)
        : std::runtime_error(std::move(message)), code_(code), klass_(klass), os_error_(os_error),
          line_(line), column_(column) {}

    [[nodiscard]] int code() const noexcept { return code_; }
    [[nodiscard]] int klass() const noexcept { return klass_; }
    [[nodiscard]] int os_error() const noexcept { return os_error_; }
    [[nodiscard]] std::int64_t line() const noexcept { return line_; }
    [[nodiscard]] std::int64_t column() const noexcept { return column_; }

private:
    int code_;
    int klass_;
    int os_error_;
    std::int64_t line_;
    std::int64_t column_;
};

// An invalid argument or value (FW_EINVALID, FW_ERRCLASS_ARGUMENT); the message names it.
[[noreturn]] inline void fail_invalid(std::string message) {
    throw error(FW_EINVALID, FW_ERRCLASS_ARGUMENT, std::move(message));
}

} // namespace fw
