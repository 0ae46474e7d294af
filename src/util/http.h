#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace tollgate::http {

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds timeout{30'000};
  bool follow_redirects = true;
  bool verify_tls = true;
  std::string basic_auth;  // "user:password", sent only when set
};

struct Response {
  long status = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string effective_url;
  // The first value of a header (name in any case), or "".
  std::string header(const std::string& name) const;
};

// Performs the request. Transport failures (DNS, refused, TLS, timeout) throw Error with the URL
// and curl's reason; any HTTP status is a Response for the caller to judge.
Response perform(const Request& request);
Response get(const std::string& url, std::vector<std::string> headers = {});

}  // namespace tollgate::http
