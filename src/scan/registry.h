#pragma once

#include <optional>
#include <string>

#include "scan/image_source.h"

namespace tollgate::scan {

// host[:port]/repository[:tag][@sha256:...]; Docker Hub names ("alpine", "library/alpine") map
// to registry-1.docker.io.
struct ImageReference {
  std::string registry;
  std::string repository;
  std::string tag;     // "latest" when neither tag nor digest is given
  std::string digest;  // "sha256:..." when pinned
  std::string str() const;
};

std::optional<ImageReference> parse_image_reference(const std::string& ref);
bool looks_like_registry_reference(const std::string& ref);

// Pulls an image with the Registry HTTP API v2: manifest (OCI or Docker v2, index or list
// resolved by --platform), then every layer streamed into the filesystem view. Every manifest and
// blob is checked against its digest. Auth: anonymous, Basic, or Bearer tokens from the realm
// the registry names, with credentials from the options or ~/.docker/config.json.
OpenedImage pull_image(const std::string& ref, const ImageSourceOptions& options);

// The value of a key in a WWW-Authenticate challenge: realm="...",service="...".
std::string challenge_param(const std::string& header, const std::string& key);

}  // namespace tollgate::scan
