#include "scan/image_source.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "scan/engine_store.h"
#include "scan/registry.h"
#include "scan/tar_index.h"
#include "util/error.h"
#include "util/files.h"
#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Blobs and metadata of an OCI layout or docker save output, in a directory or a tar.
class Blobs {
 public:
  virtual ~Blobs() = default;
  virtual bool contains(const std::string& name) const = 0;
  virtual std::string read(const std::string& name) const = 0;
  virtual ByteSource open(const std::string& name) const = 0;
  virtual std::string where() const = 0;
};

class TarBlobs : public Blobs {
 public:
  explicit TarBlobs(const fs::path& file) : file_(file), index_(file) {}
  bool contains(const std::string& name) const override { return index_.contains(name); }
  std::string read(const std::string& name) const override { return index_.read(name); }
  ByteSource open(const std::string& name) const override { return index_.open(name); }
  std::string where() const override { return file_.string(); }

 private:
  fs::path file_;
  TarIndex index_;
};

class DirBlobs : public Blobs {
 public:
  explicit DirBlobs(const fs::path& dir) : dir_(dir) {}
  bool contains(const std::string& name) const override {
    auto clean = normalize_image_path(name);
    return clean && fs::is_regular_file(dir_.string() + *clean);
  }
  std::string read(const std::string& name) const override { return files::read(path(name)); }
  ByteSource open(const std::string& name) const override {
    fs::path file = path(name);
    auto fd = std::shared_ptr<int>(new int(files::open_regular(file)), [](int* p) {
      ::close(*p);
      delete p;
    });
    return [fd, file](char* buf, size_t size) -> size_t {
      while (true) {
        ssize_t n = ::read(*fd, buf, size);
        if (n >= 0) return static_cast<size_t>(n);
        if (errno != EINTR)
          throw Error(SourceLocation{file.string()},
                      std::string("cannot read: ") + std::strerror(errno));
      }
    };
  }
  std::string where() const override { return dir_.string(); }

 private:
  // name inside the layout, after symlinks: a link out of the directory is refused.
  fs::path path(const std::string& name) const {
    auto clean = normalize_image_path(name);
    if (!clean) throw Error(SourceLocation{dir_.string()}, "refusing blob path '" + name + "'");
    auto real = files::inside(dir_, dir_.string() + *clean);
    if (!real)
      throw Error(SourceLocation{dir_.string()},
                  "refusing blob path '" + name + "': it leads out of the layout directory");
    return *real;
  }
  fs::path dir_;
};

std::string blob_path(const std::string& digest, const std::string& where) {
  size_t colon = digest.find(':');
  std::string algo = digest.substr(0, colon);
  std::string hex = colon == std::string::npos ? "" : digest.substr(colon + 1);
  if (algo != "sha256" || hex.size() != 64 ||
      hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw Error(SourceLocation{where}, "unsupported or malformed digest '" + digest + "'");
  return "blobs/sha256/" + hex;
}

// Applies an OCI/Docker v2 image manifest's layers in order.
int apply_manifest_layers(LayeredFs& out, const Blobs& blobs, const json& manifest,
                          const ImageSourceOptions& o) {
  if (!manifest.contains("layers") || !manifest["layers"].is_array())
    throw Error(SourceLocation{blobs.where()}, "image manifest without a 'layers' list");
  int n = 0;
  const size_t total = manifest["layers"].size();
  for (const auto& layer : manifest["layers"]) {
    std::string digest = layer.value("digest", "");
    if (o.progress)
      o.progress("layer " + std::to_string(n + 1) + "/" + std::to_string(total) + " " + digest);
    std::string path = blob_path(digest, blobs.where());
    apply_layer(out, blobs.open(path), digest, digest, "", o.limits);
    ++n;
  }
  return n;
}

// Descends an OCI index (possibly nested) to one image manifest.
json resolve_oci_manifest(const Blobs& blobs, json index, const ImageSourceOptions& o,
                          std::string& digest) {
  for (int depth = 0; depth < 4; ++depth) {
    json desc;
    const auto& manifests = index.value("manifests", json::array());
    if (manifests.size() == 1) {
      desc = manifests[0];
    } else {
      desc = select_platform(index, o.platform, blobs.where());
    }
    digest = desc.value("digest", "");
    std::string text = blobs.read(blob_path(digest, blobs.where()));
    if (sha256_digest(text) != digest)
      throw Error(SourceLocation{blobs.where()}, "manifest digest mismatch for " + digest);
    json m = json_read::parse(text, blobs.where() + ":" + digest);
    if (!is_index_media_type(m.value("mediaType", desc.value("mediaType", ""))) &&
        !m.contains("manifests"))
      return m;
    index = m;
  }
  throw Error(SourceLocation{blobs.where()}, "image indexes nested too deeply");
}

OpenedImage open_layout(std::unique_ptr<Blobs> blobs, const std::string& name,
                        const std::string& kind, const ImageSourceOptions& o) {
  OpenedImage img;
  auto fs = std::make_unique<LayeredFs>();
  img.name = name;
  img.kind = kind;
  if (blobs->contains("manifest.json")) {
    // docker save: [{"Config": ..., "RepoTags": [...], "Layers": [...]}], legacy or docker >= 25.
    json m = json_read::parse(blobs->read("manifest.json"), blobs->where() + ":manifest.json");
    if (!m.is_array() || m.empty())
      throw Error(SourceLocation{blobs->where() + ":manifest.json"}, "no image in manifest.json");
    if (m.size() > 1)
      throw Error(
          SourceLocation{blobs->where() + ":manifest.json"},
          "the archive holds " + std::to_string(m.size()) + " images; save one per archive");
    const json& image = m[0];
    json config =
        json_read::parse(blobs->read(image.value("Config", "")), blobs->where() + ":config");
    json diff_ids = config.contains("rootfs") ? config["rootfs"].value("diff_ids", json::array())
                                              : json::array();
    const auto& layers = image.value("Layers", json::array());
    for (size_t i = 0; i < layers.size(); ++i) {
      std::string path = layers[i].get<std::string>();
      std::string expected;
      if (path.starts_with("blobs/sha256/")) expected = "sha256:" + path.substr(13);
      std::string diff_id = i < diff_ids.size() ? diff_ids[i].get<std::string>() : "";
      if (o.progress)
        o.progress("layer " + std::to_string(i + 1) + "/" + std::to_string(layers.size()) + " " +
                   path);
      apply_layer(*fs, blobs->open(path), path, expected, diff_id, o.limits);
    }
    img.layers = static_cast<int>(layers.size());
    if (image.contains("RepoTags") && image["RepoTags"].is_array() && !image["RepoTags"].empty())
      img.name = image["RepoTags"][0].get<std::string>();
    img.kind = kind == "oci-layout" ? kind : "docker-archive";
  } else if (blobs->contains("index.json")) {
    json index = json_read::parse(blobs->read("index.json"), blobs->where() + ":index.json");
    json manifest = resolve_oci_manifest(*blobs, index, o, img.digest);
    img.layers = apply_manifest_layers(*fs, *blobs, manifest, o);
  } else {
    throw Error(SourceLocation{blobs->where()},
                "neither a docker save archive (manifest.json) nor an OCI layout (index.json)");
  }
  img.fs = std::move(fs);
  return img;
}

}  // namespace

bool is_index_media_type(const std::string& media_type) {
  return media_type == "application/vnd.oci.image.index.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

json select_platform(const json& index, const std::string& platform, const std::string& where) {
  auto want = str::split(platform, '/');
  if (want.size() < 2) throw UsageError("--platform: '" + platform + "' is not os/arch[/variant]");
  std::vector<std::string> offered;
  for (const auto& d : index.value("manifests", json::array())) {
    json p = d.value("platform", json::object());
    std::string os = p.value("os", ""), arch = p.value("architecture", ""),
                variant = p.value("variant", "");
    if (os == "unknown") continue;  // attestation manifests
    offered.push_back(os + "/" + arch + (variant.empty() ? "" : "/" + variant));
    if (os == want[0] && arch == want[1] && (want.size() < 3 || variant == want[2])) return d;
  }
  throw Error(SourceLocation{where}, "no image for platform " + platform +
                                         " in the index (it has: " +
                                         (offered.empty() ? "none" : str::join(offered, ", ")) +
                                         "); choose one with --platform");
}

namespace {

// REF from the first source that has it; the registry, when asked, is last and its failure says
// where else the image was looked for.
OpenedImage open_reference(const std::string& ref, const ImageSourceOptions& o) {
  std::vector<std::string> sources = o.sources.empty() ? default_image_sources(ref) : o.sources;
  std::vector<std::string> not_there;
  for (const auto& source : sources) {
    if (source != "registry") {
      std::string why;
      if (auto image = open_from_engine(source, ref, o, why)) return std::move(*image);
      not_there.push_back(why);
      continue;
    }
    try {
      return pull_image(ref, o);
    } catch (const Error& e) {
      if (not_there.empty()) throw;
      throw Error(e.where(), std::string(e.what()) + " (and " + str::join(not_there, ", ") + ")");
    }
  }
  throw Error(SourceLocation{ref}, "image not found: " + str::join(not_there, ", "));
}

}  // namespace

OpenedImage open_image(const std::string& ref, const ImageSourceOptions& o) {
  std::error_code ec;
  fs::path p(ref);
  if (fs::is_directory(p, ec)) {
    if (fs::exists(p / "oci-layout") || fs::exists(p / "index.json") ||
        fs::exists(p / "manifest.json"))
      return open_layout(std::make_unique<DirBlobs>(p), ref, "oci-layout", o);
    OpenedImage img;
    img.fs = std::make_unique<DirectoryFs>(p);
    img.name = ref;
    img.kind = "rootfs";
    return img;
  }
  if (fs::exists(p, ec)) {
    auto blobs = std::make_unique<TarBlobs>(p);
    std::string kind = blobs->contains("manifest.json") ? "docker-archive" : "oci-archive";
    return open_layout(std::move(blobs), p.filename().string(), kind, o);
  }
  // A name that reads like a path is a missing file, not an image on Docker Hub.
  bool path_like = ref.starts_with("/") || ref.starts_with("./") || ref.starts_with("../") ||
                   ref.ends_with(".tar") || ref.ends_with(".tar.gz") || ref.ends_with(".tgz");
  if (path_like || !looks_like_registry_reference(ref))
    throw Error(SourceLocation{ref},
                "no such file or directory, and not an image reference "
                "([host[:port]/]repository[:tag|@sha256:...])");
  return open_reference(ref, o);
}

}  // namespace tollgate::scan
