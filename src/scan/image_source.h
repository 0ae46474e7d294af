#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scan/image_fs.h"
#include "scan/layer_reader.h"
#include "util/files.h"

namespace tollgate::scan {

struct ImageSourceOptions {
  std::string platform = "linux/amd64";  // os/arch[/variant], for indexes and manifest lists
  std::string username;
  std::string password;
  bool insecure = false;      // plain HTTP to the registry
  std::string docker_config;  // default ~/.docker/config.json
  // --image-src: where a reference that is not a file is looked for, in order ("podman",
  // "docker", "registry"); empty: default_image_sources() (engine_store.h).
  std::vector<std::string> sources;
  LayerLimits limits;
  // Called before each layer is read ("layer 2/5 sha256:..."), for a progress line.
  std::function<void(const std::string&)> progress;
};

// An image opened for scanning: its merged filesystem view and what to call it in reports.
struct OpenedImage {
  // What the image is read from when tollgate made it (an engine's image saved to an archive),
  // removed with the image. Declared first, so the filesystem view reading it goes first.
  std::unique_ptr<files::TempDir> scratch;
  std::unique_ptr<ImageFs> fs;
  std::string name;    // "cart.tar", "127.0.0.1:5000/shop/cart:1.4"
  std::string kind;    // docker-archive, oci-archive, oci-layout, rootfs, registry, podman, docker
  std::string digest;  // manifest digest when known
  int layers = 0;
};

// Opens REF: an existing path (docker save archive, OCI archive, OCI layout directory, root
// filesystem directory), else an image reference looked for in options.sources (an engine's
// images, the registry). Throws Error saying what it tried.
OpenedImage open_image(const std::string& ref, const ImageSourceOptions& options);

// Picks the manifest descriptor for a platform ("linux/amd64", "linux/arm64/v8") from an OCI
// index or Docker manifest list; throws Error listing what the index offers.
nlohmann::json select_platform(const nlohmann::json& index, const std::string& platform,
                               const std::string& where);

bool is_index_media_type(const std::string& media_type);

}  // namespace tollgate::scan
