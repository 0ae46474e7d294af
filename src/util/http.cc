#include "util/http.h"

#include <curl/curl.h>

#include <mutex>

#include "util/error.h"
#include "util/strings.h"

namespace tollgate::http {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::multimap<std::string, std::string>*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) headers->clear();  // a redirect or 100-continue: start over
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    headers->emplace(str::lower(str::trim(line.substr(0, colon))),
                     std::string(str::trim(line.substr(colon + 1))));
  }
  return size * n;
}

}  // namespace

std::string Response::header(const std::string& name) const {
  auto it = headers.find(str::lower(name));
  return it == headers.end() ? "" : it->second;
}

Response perform(const Request& request) {
  global_init();
  CURL* curl = curl_easy_init();
  if (!curl) throw Error("cannot initialise libcurl");
  Response response;
  curl_slist* header_list = nullptr;
  for (const auto& h : request.headers)
    header_list = curl_slist_append(header_list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "tollgate/0.1");
  if (!request.verify_tls) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!request.basic_auth.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERPWD, request.basic_auth.c_str());
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* effective = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective) response.effective_url = effective;
  curl_slist_free_all(header_list);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    std::string reason = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    throw Error(request.method + " " + request.url + " failed: " + reason);
  }
  return response;
}

Response get(const std::string& url, std::vector<std::string> headers) {
  Request r;
  r.url = url;
  r.headers = std::move(headers);
  return perform(r);
}

}  // namespace tollgate::http
