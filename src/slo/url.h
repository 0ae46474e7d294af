#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::slo {

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view s);
// "a=1&b=2" with both sides encoded.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params);
// Joins a base URL and a path without doubling or dropping the slash.
std::string url_join(std::string_view base, std::string_view path);

}  // namespace tollgate::slo
