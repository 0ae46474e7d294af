#include "slo/url.h"

#include <cctype>

#include "util/strings.h"

namespace tollgate::slo {

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += str::url_encode(k) + "=" + str::url_encode(v);
  }
  return out;
}

namespace {

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::pair<std::string, std::string> split_userinfo(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {std::string(url), ""};
  size_t host = scheme + 3;
  size_t end = url.find_first_of("/?#", host);
  std::string_view authority =
      url.substr(host, end == std::string_view::npos ? url.npos : end - host);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {std::string(url), ""};
  std::string clean = std::string(url.substr(0, host)) + std::string(url.substr(host + at + 1));
  return {clean, percent_decode(authority.substr(0, at))};
}

std::string url_join(std::string_view base, std::string_view path) {
  std::string out(base);
  while (!out.empty() && out.back() == '/')
    out.pop_back();
  if (!path.empty() && path.front() != '/') out += '/';
  out += path;
  return out;
}

}  // namespace tollgate::slo
