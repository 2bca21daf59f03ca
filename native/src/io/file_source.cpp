#include "io/file_source.hpp"

#include <utility>

namespace fw::io {

file_source::file_source(std::string_view path_utf8) : file_source(file::open(path_utf8)) {}

file_source::file_source(file f) : file_(std::move(f)) { size_ = file_.size(); }

std::uint64_t file_source::current_size() const noexcept {
    try {
        return file_.size();
    } catch (...) {
        return size_;
    }
}

} // namespace fw::io
