// Where a counting read puts records instead of handing them out (a summary):
// each range of a log read in parallel is counted into a part of its own, made
// by fresh() on the thread that reads the range, and the caller merges the
// parts in the file's order. A part is merged only once its range is known to
// have been read right, so a range read again (a layout guessed wrong) is never
// counted twice.
#pragma once

#include <fw/log.h>

#include <memory>
#include <span>

namespace fw::log {

class record_sink {
public:
    virtual ~record_sink() = default;
    virtual void add(std::span<const fw_record> records) = 0;
    // An empty sink of the same kind (safe to call from several threads at once).
    [[nodiscard]] virtual std::unique_ptr<record_sink> fresh() const = 0;
    // Adds what part (made by fresh() of this sink or of one like it) counted.
    virtual void merge(const record_sink &part) = 0;
    // Empties it, keeping its memory, to count another part (a reader reuses merged parts).
    virtual void clear() = 0;
};

} // namespace fw::log
