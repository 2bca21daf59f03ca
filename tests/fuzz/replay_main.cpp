// Corpus replay for a fuzz target built without libFuzzer: runs
// LLVMFuzzerTestOneInput over every file in the folders (or files) given, so
// `ctest` replays the corpus and every past crash in seconds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {
int replay(const std::filesystem::path &file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A copy of exactly the input's size: ASan sees a read past the end, as under libFuzzer.
    std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
    return 1;
}
} // namespace

int main(int argc, char **argv) {
    std::size_t n = 0;
    for (int i = 1; i < argc; ++i) {
        std::filesystem::path p = argv[i];
        if (std::filesystem::is_directory(p)) {
            std::vector<std::filesystem::path> files;
            for (const auto &e : std::filesystem::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().filename() != ".gitkeep") files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto &f : files) n += static_cast<std::size_t>(replay(f));
        } else if (std::filesystem::is_regular_file(p)) {
            n += static_cast<std::size_t>(replay(p));
        }
    }
    std::printf("replayed %zu inputs\n", n);
    return 0;
}
