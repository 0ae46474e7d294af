#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tollgate::hash {

// SHA-256 as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);
// SHA-256 of a file's contents, read in chunks; throws Error when unreadable.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace tollgate::hash
