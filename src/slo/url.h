#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::slo {

// "a=1&b=2" with both sides encoded.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params);
// Splits "https://user:secret@host/x" into "https://host/x" and "user:secret" (percent-decoded),
// so that credentials never reach messages or reports that name the URL.
std::pair<std::string, std::string> split_userinfo(std::string_view url);
// Joins a base URL and a path without doubling or dropping the slash.
std::string url_join(std::string_view base, std::string_view path);

}  // namespace tollgate::slo
