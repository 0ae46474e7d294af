#include "util/http.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include "util/error.h"
#include "util/strings.h"

namespace tollgate::http {
namespace {

// libcurl is opened at the first request instead of linked. Linked, it and what it pulls in (two
// TLS stacks, Kerberos, LDAP, SASL, IDN, SSH, brotli: 30 libraries) cost every tollgate process
// about 6 ms of dynamic linking before main, and most commands (a pipeline run, a rootfs scan,
// posture, budget from a file) never make a request.
struct Curl {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  decltype(&curl_easy_perform) easy_perform;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

constexpr const char* kLibrary = "libcurl.so.4";

Curl load() {
  void* lib = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    throw Error(std::string("cannot load ") + kLibrary + " for HTTP requests (" + dlerror() +
                "); install libcurl4 (Debian) or the libcurl of your system");
  auto symbol = [&](const char* name) {
    void* f = dlsym(lib, name);
    if (!f) throw Error(std::string(kLibrary) + " has no " + name + ": too old a libcurl");
    return f;
  };
  Curl c;
  c.global_init = reinterpret_cast<decltype(c.global_init)>(symbol("curl_global_init"));
  c.easy_init = reinterpret_cast<decltype(c.easy_init)>(symbol("curl_easy_init"));
  c.easy_setopt = reinterpret_cast<decltype(c.easy_setopt)>(symbol("curl_easy_setopt"));
  c.easy_perform = reinterpret_cast<decltype(c.easy_perform)>(symbol("curl_easy_perform"));
  c.easy_getinfo = reinterpret_cast<decltype(c.easy_getinfo)>(symbol("curl_easy_getinfo"));
  c.easy_cleanup = reinterpret_cast<decltype(c.easy_cleanup)>(symbol("curl_easy_cleanup"));
  c.easy_strerror = reinterpret_cast<decltype(c.easy_strerror)>(symbol("curl_easy_strerror"));
  c.slist_append = reinterpret_cast<decltype(c.slist_append)>(symbol("curl_slist_append"));
  c.slist_free_all = reinterpret_cast<decltype(c.slist_free_all)>(symbol("curl_slist_free_all"));
  if (c.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    throw Error(std::string("cannot initialise ") + kLibrary);
  return c;
}

// Loaded once per process (thread-safe), on first use; a failure is thrown again at each use.
const Curl& curl() {
  static const Curl c = load();
  return c;
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
  const Curl& api = http::curl();
  CURL* curl = api.easy_init();
  if (!curl) throw Error("cannot initialise libcurl");
  Response response;
  curl_slist* header_list = nullptr;
  for (const auto& h : request.headers)
    header_list = api.slist_append(header_list, h.c_str());
  api.easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  api.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") api.easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    api.easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    api.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                    static_cast<curl_off_t>(request.body.size()));
  }
  api.easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  api.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  api.easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  api.easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  api.easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  api.easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  api.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  api.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(curl, CURLOPT_USERAGENT, "tollgate/0.1");
  if (!request.verify_tls) {
    api.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    api.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!request.basic_auth.empty()) {
    api.easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    api.easy_setopt(curl, CURLOPT_USERPWD, request.basic_auth.c_str());
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  api.easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = api.easy_perform(curl);
  api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  char* effective = nullptr;
  api.easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective) response.effective_url = effective;
  api.slist_free_all(header_list);
  api.easy_cleanup(curl);
  if (rc != CURLE_OK) {
    std::string reason = errbuf[0] ? errbuf : api.easy_strerror(rc);
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
