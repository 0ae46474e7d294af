#include "scan/registry.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/files.h"
#include "util/http.h"
#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

using nlohmann::json;

constexpr const char* kManifestAccept =
    "Accept: application/vnd.oci.image.index.v1+json, "
    "application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

// "user:password" from ~/.docker/config.json for the registry, or "".
std::string docker_config_credentials(const std::string& registry, std::string path) {
  if (path.empty()) {
    const char* home = std::getenv("HOME");
    if (!home) return "";
    path = std::string(home) + "/.docker/config.json";
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "";
  json config = json_read::parse(files::read(path), path);
  auto auths = config.value("auths", json::object());
  for (const auto& key : {registry, "https://" + registry, "http://" + registry}) {
    if (auths.contains(key) && auths[key].contains("auth"))
      return str::base64_decode(auths[key]["auth"].get<std::string>()).value_or("");
  }
  return "";
}

class RegistryClient {
 public:
  RegistryClient(const ImageReference& ref, const ImageSourceOptions& o) : ref_(ref) {
    base_ = (o.insecure ? "http://" : "https://") + ref.registry + "/v2/" + ref.repository;
    if (!o.username.empty())
      credentials_ = o.username + ":" + o.password;
    else
      credentials_ = docker_config_credentials(ref.registry, o.docker_config);
  }

  http::Response get(const std::string& path, std::vector<std::string> headers,
                     std::chrono::milliseconds timeout) {
    http::Response r = send(path, headers, timeout);
    if (r.status == 401 && !authorised_once_) {
      authorise(r.header("www-authenticate"));
      r = send(path, headers, timeout);
    }
    if (r.status == 401)
      throw Error(
          "registry " + ref_.registry + " refused the credentials" +
          (credentials_.empty() ? " (none given: use --username or ~/.docker/config.json)" : ""));
    if (r.status != 200) {
      std::string detail;
      try {
        json j = json_read::parse_or_discarded(r.body);
        if (j.is_object())
          for (const auto& e : j.value("errors", json::array()))
            detail +=
                (detail.empty() ? "" : "; ") + e.value("code", "") + ": " + e.value("message", "");
      } catch (const json::exception&) {
      }
      throw Error("registry " + ref_.registry + ": GET " + path + " answered HTTP " +
                  std::to_string(r.status) + (detail.empty() ? "" : " (" + detail + ")"));
    }
    return r;
  }

 private:
  http::Response send(const std::string& path, std::vector<std::string> headers,
                      std::chrono::milliseconds timeout) {
    http::Request req;
    req.url = base_ + path;
    req.headers = std::move(headers);
    req.timeout = timeout;
    if (!token_.empty())
      req.headers.push_back("Authorization: Bearer " + token_);
    else if (use_basic_)
      req.basic_auth = credentials_;
    return http::perform(req);
  }

  void authorise(const std::string& challenge) {
    authorised_once_ = true;
    std::string scheme = str::lower(challenge.substr(0, challenge.find(' ')));
    if (scheme == "basic") {
      if (credentials_.empty())
        throw Error("registry " + ref_.registry +
                    " wants Basic credentials: pass --username (password from "
                    "$TOLLGATE_REGISTRY_PASSWORD or --password-stdin)");
      use_basic_ = true;
      return;
    }
    if (scheme != "bearer")
      throw Error("registry " + ref_.registry + ": unsupported authentication '" + challenge + "'");
    std::string realm = challenge_param(challenge, "realm");
    if (realm.empty())
      throw Error("registry " + ref_.registry + ": Bearer challenge without realm");
    std::string scope = challenge_param(challenge, "scope");
    if (scope.empty()) scope = "repository:" + ref_.repository + ":pull";
    std::string service = challenge_param(challenge, "service");
    std::string url = realm + (realm.find('?') == std::string::npos ? "?" : "&") +
                      "scope=" + str::url_encode(scope) +
                      (service.empty() ? "" : "&service=" + str::url_encode(service));
    http::Request req;
    req.url = url;
    req.basic_auth = credentials_;
    http::Response r = http::perform(req);
    if (r.status != 200)
      throw Error("token server " + realm + " answered HTTP " + std::to_string(r.status) +
                  (credentials_.empty() ? " (no credentials were given)" : ""));
    try {
      json j = json_read::parse_or_discarded(r.body);
      if (j.is_object()) token_ = j.value("token", j.value("access_token", ""));
    } catch (const json::exception&) {
    }
    if (token_.empty()) throw Error("token server " + realm + " gave no token");
  }

  ImageReference ref_;
  std::string base_;
  std::string credentials_;
  std::string token_;
  bool use_basic_ = false;
  bool authorised_once_ = false;
};

json fetch_manifest(RegistryClient& client, const ImageReference& ref, const std::string& what,
                    std::string& digest, std::string& media_type) {
  http::Response r = client.get("/manifests/" + what, {kManifestAccept}, std::chrono::seconds(60));
  std::string got = sha256_digest(r.body);
  std::string header = r.header("docker-content-digest");
  if (what.starts_with("sha256:") && got != what)
    throw Error("registry " + ref.registry + ": manifest " + what + " has digest " + got);
  if (!header.empty() && header != got)
    throw Error("registry " + ref.registry + ": manifest digest mismatch (header " + header +
                ", body " + got + ")");
  digest = got;
  media_type = r.header("content-type");
  json m = json_read::parse(r.body, "registry " + ref.registry + " manifest " + what);
  if (m.contains("mediaType")) media_type = m["mediaType"].get<std::string>();
  return m;
}

}  // namespace

std::string ImageReference::str() const {
  return registry + "/" + repository + (digest.empty() ? ":" + tag : "@" + digest);
}

std::string challenge_param(const std::string& header, const std::string& key) {
  size_t pos = 0;
  while ((pos = header.find(key + "=", pos)) != std::string::npos) {
    bool boundary = pos == 0 || header[pos - 1] == ' ' || header[pos - 1] == ',';
    size_t start = pos + key.size() + 1;
    if (!boundary) {
      pos = start;
      continue;
    }
    if (start < header.size() && header[start] == '"') {
      size_t end = header.find('"', start + 1);
      return header.substr(start + 1,
                           end == std::string::npos ? std::string::npos : end - start - 1);
    }
    size_t end = header.find(',', start);
    return header.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  return "";
}

std::optional<ImageReference> parse_image_reference(const std::string& text) {
  if (text.empty() || text.find_first_of(" \t\n") != std::string::npos) return std::nullopt;
  ImageReference r;
  std::string rest = text;
  size_t slash = rest.find('/');
  std::string first = rest.substr(0, slash);
  if (slash != std::string::npos &&
      (first.find_first_of(".:") != std::string::npos || first == "localhost")) {
    r.registry = first;
    rest = rest.substr(slash + 1);
  } else {
    r.registry = "registry-1.docker.io";
    if (rest.find('/') == std::string::npos) rest = "library/" + rest;
  }
  if (size_t at = rest.find('@'); at != std::string::npos) {
    r.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!r.digest.starts_with("sha256:") || r.digest.size() != 71) return std::nullopt;
  }
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
    r.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  r.repository = rest;
  if (r.repository.empty() || r.repository.find_first_not_of(
                                  "abcdefghijklmnopqrstuvwxyz0123456789._-/") != std::string::npos)
    return std::nullopt;
  return r;
}

bool looks_like_registry_reference(const std::string& ref) {
  return parse_image_reference(ref).has_value();
}

OpenedImage pull_image(const std::string& text, const ImageSourceOptions& o) {
  auto ref = parse_image_reference(text);
  if (!ref) throw Error(SourceLocation{text}, "not a registry reference");
  RegistryClient client(*ref, o);
  std::string digest, media_type;
  json manifest = fetch_manifest(client, *ref, ref->digest.empty() ? ref->tag : ref->digest, digest,
                                 media_type);
  if (is_index_media_type(media_type) || manifest.contains("manifests")) {
    json desc = select_platform(manifest, o.platform, ref->str());
    manifest = fetch_manifest(client, *ref, desc.value("digest", ""), digest, media_type);
  }
  if (!manifest.contains("layers") || !manifest["layers"].is_array())
    throw Error("registry " + ref->registry + ": manifest of " + ref->str() +
                " has no layers (media type '" + media_type +
                "'; schema 1 manifests are not supported)");
  auto fs = std::make_unique<LayeredFs>();
  int n = 0;
  for (const auto& layer : manifest["layers"]) {
    std::string layer_digest = layer.value("digest", "");
    if (o.progress)
      o.progress("pulling layer " + std::to_string(n + 1) + "/" +
                 std::to_string(manifest["layers"].size()) + " " + layer_digest + " (" +
                 std::to_string(layer.value("size", int64_t{0}) / 1000) + " kB)");
    http::Response r = client.get("/blobs/" + layer_digest, {}, std::chrono::minutes(10));
    auto body = std::make_shared<std::string>(std::move(r.body));
    auto pos = std::make_shared<size_t>(0);
    ByteSource source = [body, pos](char* buf, size_t size) -> size_t {
      size_t n = std::min(size, body->size() - *pos);
      std::memcpy(buf, body->data() + *pos, n);
      *pos += n;
      return n;
    };
    apply_layer(*fs, source, layer_digest, layer_digest, "", o.limits);
    ++n;
  }
  OpenedImage img;
  img.fs = std::move(fs);
  img.name = text;
  img.kind = "registry";
  img.digest = digest;
  img.layers = n;
  return img;
}

}  // namespace tollgate::scan
