#pragma once

// What every fuzz target shares. A target feeds its input to one reader the way tollgate's
// commands do. Malformed input must end in an exception: tollgate::Error, or another
// std::exception, which main() also turns into exit 2 with its message. A crash, a sanitizer
// report, a leak, a hang (-timeout) or memory out of proportion (-rss_limit_mb,
// -malloc_limit_mb) is a defect.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace tollgate::fuzz {

inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs f; any std::exception is the expected answer to bad input.
template <class F>
void expect_errors(F&& f) {
  try {
    f();
  } catch (const std::exception&) {
  }
}

// A directory of this process's own, emptied at exit by nobody: targets overwrite the same few
// files on every input, so it stays small.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d =
        std::filesystem::temp_directory_path() / ("tollgate-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes bytes to `name` under scratch_dir() (for readers that take a path) and returns its path.
inline std::filesystem::path write_file(const std::string& name, std::string_view bytes) {
  auto path = scratch_dir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace tollgate::fuzz
