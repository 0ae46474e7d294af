#include "scan/image_source.h"

#include <gtest/gtest.h>

#include "scan/engine_store.h"
#include "scan/sbom.h"
#include "util/files.h"
#include "util/json_read.h"

namespace tollgate::scan {
namespace {

namespace fs = std::filesystem;

std::string deep(size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

std::string error_opening(const fs::path& dir) {
  try {
    open_image(dir.string(), ImageSourceOptions{});
  } catch (const Error& e) {
    return e.message();
  }
  return "opened";
}

// Each of these overflowed the stack (exit 139) before JSON nesting was bounded.
// A reference with a registry host names the copy that gets deployed: only that registry. Any
// other may be an image built here, and the engines' stores come first.
TEST(ImageSource, AReferenceWithARegistryHostIsPulledAndOthersAreLookedForLocallyFirst) {
  using Sources = std::vector<std::string>;
  const Sources local_first = {"podman", "docker", "registry"};
  EXPECT_EQ(default_image_sources("127.0.0.1:5000/shop/cart:1.4"), Sources{"registry"});
  EXPECT_EQ(default_image_sources("ghcr.io/acme/cart@sha256:" + std::string(64, 'a')),
            Sources{"registry"});
  EXPECT_EQ(default_image_sources("registry.local:443/app"), Sources{"registry"});
  EXPECT_EQ(default_image_sources("nginx:1.25"), local_first);
  EXPECT_EQ(default_image_sources("library/alpine"), local_first);
  EXPECT_EQ(default_image_sources("localhost/app:1"), local_first);
}

TEST(ImageSource, ManifestLayersNestedPastTheLimitAreAnError) {
  files::TempDir dir;
  files::write_atomic(dir.path() / "manifest.json",
                      R"([{"Config":"c.json","Layers":)" + deep(1'000'000) + "}]");
  // The array around the image and its object make 2 levels; the 511th bracket is level 513,
  // after the 29 characters before the brackets.
  EXPECT_EQ(error_opening(dir.path()),
            dir.path().string() +
                ":manifest.json:1:540: JSON nested deeper than 512 levels (the limit for every "
                "JSON input)");
}

TEST(ImageSource, ConfigDiffIdsNestedPastTheLimitAreAnError) {
  files::TempDir dir;
  files::write_atomic(dir.path() / "manifest.json", R"([{"Config":"c.json","Layers":[]}])");
  files::write_atomic(dir.path() / "c.json", R"({"rootfs":{"diff_ids":)" + deep(100'000) + "}}");
  // Two braces and 511 brackets make 513 levels: the 511th '[' follows 22 characters of keys.
  EXPECT_NE(error_opening(dir.path()).find(":config:1:533: JSON nested deeper than 512"),
            std::string::npos)
      << error_opening(dir.path());
}

TEST(ImageSource, OciIndexNestedPastTheLimitIsAnError) {
  files::TempDir dir;
  files::write_atomic(dir.path() / "index.json", R"({"manifests":)" + deep(100'000) + "}");
  // One brace and 512 brackets: the 512th '[' follows 13 characters.
  EXPECT_NE(error_opening(dir.path()).find(":index.json:1:525: JSON nested deeper than 512"),
            std::string::npos)
      << error_opening(dir.path());
}

TEST(Sbom, ComponentsNestedPastTheLimitAreAnError) {
  std::string text = R"({"bomFormat":"CycloneDX","components":)" + deep(100'000) + "}";
  try {
    read_cyclonedx(text, "bom.json");
    FAIL() << "a BOM nested 100,000 deep was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().str(), "bom.json:1:550");
  }
  // One level under the limit is read (and is not a list of components).
  std::string within = R"({"bomFormat":"CycloneDX","metadata":)" +
                       std::string(json_read::kMaxDepth - 2, '[') +
                       std::string(json_read::kMaxDepth - 2, ']') + "}";
  EXPECT_NO_THROW(read_cyclonedx(within, "bom.json"));
}

}  // namespace
}  // namespace tollgate::scan
