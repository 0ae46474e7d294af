#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scan/image_source.h"

namespace tollgate::scan {

// Where `scan image REF` looks for an image that is not a file: the local stores of the
// container engines, then the registry the reference names.
inline constexpr std::string_view kImageSources[] = {"podman", "docker", "registry"};

// The sources tried, in order, for REF when --image-src is not given. A reference that names a
// registry host ("127.0.0.1:5000/shop/cart:1.4", "ghcr.io/acme/cart") is pulled from it: the
// copy that gets deployed. Any other ("nginx:1.25", "localhost/app:1", podman's local-only
// names) is read from podman's or docker's images when one of them has it, as Trivy and Grype
// do, and pulled only otherwise.
std::vector<std::string> default_image_sources(const std::string& ref);

// REF as an engine ("podman" or "docker") holds it: saved once to an archive in a directory of
// its own that the returned image keeps, then read as any archive. nullopt when the engine is not
// installed, does not answer, or has no such image; `why` then says which.
std::optional<OpenedImage> open_from_engine(std::string_view engine, const std::string& ref,
                                            const ImageSourceOptions& options, std::string& why);

}  // namespace tollgate::scan
