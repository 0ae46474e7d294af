// An OCI image layout directory whose index.json points at the input as its image manifest
// (under its true digest, so the reader gets past the digest check to the manifest's content),
// and the input as an image index for the platform choice.
#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "scan/image_source.h"
#include "scan/inventory.h"
#include "scan/layer_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  auto input = fuzz::text(data, size);
  std::string digest = scan::sha256_digest(input);
  static const auto layout = fuzz::scratch_dir() / "layout";
  std::filesystem::remove_all(layout);
  fuzz::write_file("layout/oci-layout", R"({"imageLayoutVersion": "1.0.0"})");
  fuzz::write_file("layout/index.json",
                   R"({"schemaVersion": 2, "manifests": [{"mediaType": )"
                   R"("application/vnd.oci.image.manifest.v1+json", "digest": ")" +
                       digest + R"(", "size": )" + std::to_string(size) + "}]}");
  fuzz::write_file("layout/blobs/sha256/" + digest.substr(7), input);
  fuzz::expect_errors([&] {
    scan::ImageSourceOptions options;
    options.limits.max_entry_bytes = 64 << 20;
    options.limits.max_layer_bytes = 256 << 20;
    options.limits.bomb_min_bytes = 16 << 20;
    scan::OpenedImage image = scan::open_image(layout.string(), options);
    scan::read_inventory(*image.fs);
  });
  fuzz::expect_errors([&] {
    auto index = nlohmann::json::parse(input);
    scan::select_platform(index, "linux/arm64/v8", "index.json");
  });
  return 0;
}
