// A filter expression: a tree of AND/OR/NOT over leaves that test one field of
// a record (what Get-FwDrop -Filter compiles a script block into). Built from
// the flat fw_expr program of the C ABI, validated completely, then immutable.
// The reader evaluates it on the raw fields of a line, parsing only the fields
// the evaluation reaches; matches() does the same on a typed record.
#pragma once

#include "log/fields.hpp"
#include "log/layout.hpp"
#include "log/scan.hpp"
#include "net/address.hpp"

#include <fw/log.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fw::log {

class filter_expr {
public:
    struct node {
        std::uint8_t kind = 0;  // fw_expr_kind
        std::uint8_t field = 0; // fw_expr_field
        bool absent_passes = false;
        std::uint32_t first = 0;
        std::uint32_t count = 0;
    };
    struct token {
        bool any_run = false;              // '*': any run of characters
        std::array<std::uint8_t, 32> set{}; // else one character: bit c of set
    };
    enum class result { pass, fail, bad };

    // Throws fw::error FW_EINVALID naming the node and what is wrong.
    static filter_expr from_abi(const fw_expr &e);

    // Bit per log::column the expression reads.
    [[nodiscard]] std::uint32_t columns() const noexcept { return columns_; }

    // On the raw fields of a well-formed line (fields indexed far enough for
    // columns()). bad: the first malformed column the evaluation needed.
    [[nodiscard]] result evaluate(const char *line, std::size_t n, const field_index &fields, const layout &lay,
                                  date_cache *dates, column &bad) const noexcept;
    // On a typed record (what the raw evaluation must agree with).
    [[nodiscard]] bool matches(const fw_record &r) const noexcept;

    // The text .NET's IPAddress.ToString() gives an address (what -like sees);
    // at most 45 characters. Empty for no address.
    static std::size_t dotnet_text(const fw_addr &a, char (&out)[48]) noexcept;

    [[nodiscard]] const std::vector<node> &nodes() const noexcept { return nodes_; }

    // The leaves the whole expression ANDs (the root, or the root AND's leaf children), in turn. A leaf for
    // which take(node, numbers, addresses) returns true is replaced by true: the caller tests it some other
    // way. Returns true when nothing is left to evaluate.
    template <class Take> bool lift(Take &&take) {
        auto try_leaf = [&](std::uint32_t i) {
            node &nd = nodes_[i];
            if (nd.kind == FW_EXPR_AND || nd.kind == FW_EXPR_OR || nd.kind == FW_EXPR_NOT || nd.kind == FW_EXPR_TEXT) return false;
            if (!take(static_cast<const node &>(nd), numbers_, addresses_)) return false;
            nd = node{FW_EXPR_AND, 0, false, 0, 0};
            return true;
        };
        if (nodes_[0].kind != FW_EXPR_AND) return try_leaf(0);
        bool all = true;
        for (std::uint32_t k = 0; k < nodes_[0].count; ++k) {
            const std::uint32_t c = children_[nodes_[0].first + k];
            const auto kind = nodes_[c].kind;
            if (kind == FW_EXPR_AND && nodes_[c].count == 0) continue; // already true
            if (!try_leaf(c)) all = false;
        }
        return all;
    }

private:
    template <class Source> int eval(std::uint32_t i, Source &src) const noexcept;
    [[nodiscard]] bool match_text(const node &n, std::string_view text) const noexcept;

    std::vector<node> nodes_;
    std::vector<std::uint32_t> children_;
    std::vector<std::int64_t> numbers_;
    std::vector<net::ip> addresses_; // ranges: pairs lo, hi
    std::vector<token> tokens_;
    std::uint32_t columns_ = 0;
};

} // namespace fw::log
