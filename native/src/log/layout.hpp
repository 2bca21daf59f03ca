// The column layout of a pfirewall.log, as a '#Fields:' line declares it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace fw::log {

// The columns this library understands. Other names in '#Fields:' are skipped.
enum class column : std::uint8_t {
    date,
    time,
    action,
    protocol,
    src_ip,
    dst_ip,
    src_port,
    dst_port,
    size,
    tcpflags,
    tcpsyn,
    tcpack,
    tcpwin,
    icmptype,
    icmpcode,
    info,
    path,
    pid,
};
inline constexpr std::size_t column_count = 18;

// Most fields a line may have and still be tracked position by position.
inline constexpr std::size_t max_fields = 64;

struct layout {
    static constexpr std::int8_t absent = -1;
    std::array<std::int8_t, column_count> index{}; // position of each column in a line, or absent
    std::uint8_t fields = 0;                       // how many fields a record line has

    [[nodiscard]] std::int8_t operator[](column c) const noexcept { return index[static_cast<std::size_t>(c)]; }
    [[nodiscard]] bool has(column c) const noexcept { return (*this)[c] != absent; }
    bool operator==(const layout &) const = default;

    // The documented 17 columns, plus pid as the 18th when with_pid.
    [[nodiscard]] static layout standard(bool with_pid) noexcept;
};

// The layout from the text after "#Fields:". nullopt when it has no field or more
// than max_fields, or names a known column twice.
[[nodiscard]] std::optional<layout> parse_fields_header(std::string_view names) noexcept;

[[nodiscard]] std::string_view column_name(column c) noexcept;

} // namespace fw::log
