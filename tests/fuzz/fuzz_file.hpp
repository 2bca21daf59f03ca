// A file the fuzz targets rewrite for every input: on tmpfs (/dev/shm) when
// there is one, so an execution costs no disk I/O; one per process (libFuzzer
// forks and jobs run side by side).
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

namespace fw_fuzz {

struct scratch {
    std::filesystem::path dir;
    scratch() {
        std::error_code ec;
        const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                               ? std::filesystem::path("/dev/shm")
                                               : std::filesystem::temp_directory_path();
        dir = base / ("fw-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir, ec);
    }
    ~scratch() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

inline const std::filesystem::path &scratch_dir() {
    static const scratch s;
    return s.dir;
}

// Replaces the file's content (same inode: the log grows or is rewritten in place).
inline void write_file(const std::string &path, std::string_view bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) std::abort();
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) std::abort();
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

[[noreturn]] inline void fail(const char *what) {
    std::fprintf(stderr, "fuzz oracle failed: %s\n", what);
    std::abort();
}

} // namespace fw_fuzz
