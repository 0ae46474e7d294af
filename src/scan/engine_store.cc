#include "scan/engine_store.h"

#include <memory>

#include "scan/registry.h"
#include "util/error.h"
#include "util/files.h"
#include "util/process.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

// Asking an engine must not hang a scan: a docker client whose daemon does not answer, say.
constexpr std::chrono::seconds kQueryTimeout{10};
// Saving writes every layer once; a big image on a slow disk takes minutes, never hours.
constexpr std::chrono::minutes kSaveTimeout{10};

process::CapturedApart ask(const std::string& binary, std::vector<std::string> args,
                           std::chrono::milliseconds timeout) {
  process::Command cmd;
  cmd.argv = {binary};
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  cmd.timeout = timeout;
  return process::run_capture_apart(cmd);
}

// "" when the engine has REF, else why not: it has no such image, or it does not answer.
std::string why_not(const std::string& binary, std::string_view engine, const std::string& ref) {
  // `podman image exists` answers with its exit code alone (1: no such image); docker has no
  // such command, and says "No such image" when the daemon answers.
  bool podman = engine == "podman";
  process::CapturedApart c =
      ask(binary,
          podman ? std::vector<std::string>{"image", "exists", ref}
                 : std::vector<std::string>{"image", "inspect", "--format", "{{.Id}}", ref},
          kQueryTimeout);
  if (c.outcome.ok()) return "";
  bool missing = podman ? c.outcome.exit_code == 1 && !c.outcome.timed_out
                        : c.errors.find("No such") != std::string::npos;
  if (missing) return std::string(engine) + " has no image " + ref;
  std::vector<std::string> lines = str::split_lines(c.errors);
  return std::string(engine) + " does not answer (" +
         (c.outcome.timed_out ? "no reply in 10 s"
          : lines.empty()     ? "exit code " + std::to_string(c.outcome.exit_code)
                              : lines.front()) +
         ")";
}

}  // namespace

std::vector<std::string> default_image_sources(const std::string& ref) {
  auto parsed = parse_image_reference(ref);
  bool names_a_registry =
      parsed && parsed->registry != "registry-1.docker.io" && parsed->registry != "localhost";
  if (names_a_registry) return {"registry"};
  return {"podman", "docker", "registry"};
}

std::optional<OpenedImage> open_from_engine(std::string_view engine, const std::string& ref,
                                            const ImageSourceOptions& o, std::string& why) {
  std::string binary = process::which(engine);
  if (binary.empty()) {
    why = std::string(engine) + " is not installed";
    return std::nullopt;
  }
  why = why_not(binary, engine, ref);
  if (!why.empty()) return std::nullopt;
  if (o.progress) o.progress("saving " + ref + " from " + std::string(engine) + "'s images");
  auto scratch = std::make_unique<files::TempDir>("tollgate-scan");
  std::string archive = (scratch->path() / "image.tar").string();
  // podman writes the OCI layout as a tar; docker its own archive (an OCI layout too since 25).
  std::vector<std::string> args = {"save", "-o", archive};
  if (engine == "podman") args.insert(args.begin() + 1, {"--quiet", "--format", "oci-archive"});
  args.push_back(ref);
  process::CapturedApart saved = ask(binary, args, kSaveTimeout);
  if (!saved.outcome.ok())
    throw Error(SourceLocation{ref},
                std::string(engine) + " could not save the image: " +
                    (saved.errors.empty() ? "exit code " + std::to_string(saved.outcome.exit_code)
                                          : std::string(str::trim(saved.errors))));
  OpenedImage image = open_image(archive, o);
  image.name = ref;
  image.kind = std::string(engine);
  image.scratch = std::move(scratch);
  return image;
}

}  // namespace tollgate::scan
