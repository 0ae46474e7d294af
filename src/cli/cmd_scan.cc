// tollgate scan image|rootfs|sbom: vulnerability scanning of container images.
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/gate_output.h"
#include "scan/image_source.h"
#include "scan/reports.h"
#include "scan/sbom.h"
#include "scan/scan_table.h"
#include "scan/scanner.h"
#include "scan/store.h"
#include "util/files.h"
#include "util/term.h"
#include "util/timefmt.h"

namespace tollgate::cli {
namespace {

constexpr const char* kPolicyHelp =
    "Verdict: one finding per (vulnerability, package). The gate fails (exit 1) when a finding\n"
    "at or above --fail-on is neither ignored nor (with --ignore-unfixed) unfixed; it cannot\n"
    "verify (exit 2) without a database, with one older than --max-db-age, or for an OS it has\n"
    "no advisories for.\n"
    "Severity: the CVSS v3.x base score of the record's vector (0.1-3.9 low, 4.0-6.9 medium,\n"
    "7.0-8.9 high, 9.0-10 critical); else the feed's own rating; else Debian's urgency\n"
    "(unimportant/low -> low, medium -> medium, high -> high, not yet assigned -> unknown).\n"
    "Matching: Debian by source package and source version (reported on the binary package),\n"
    "Alpine by origin, only records of the image's exact release (Debian:12, Alpine:v3.18).\n"
    "Ignore file (YAML):\n"
    "  ignore:\n"
    "    - id: CVE-2023-4911\n"
    "      package: libc6            # optional\n"
    "      reason: not reachable     # required\n"
    "      expires: 2026-12-31       # optional; expired entries stop applying and are reported\n";

struct ScanCommand {
  std::string db;
  std::string max_db_age = "7d";
  std::string fail_on = "high";
  bool ignore_unfixed = false;
  std::string ignore_file;
  GateOutput out;
  // The last scan's inventory, for the CycloneDX renderer.
  std::shared_ptr<scan::Inventory> inventory = std::make_shared<scan::Inventory>();

  scan::ScanOptions options() const {
    scan::ScanOptions o;
    o.db = db.empty() ? scan::VulnStore::default_path() : std::filesystem::path(db);
    auto age = timefmt::parse_duration(max_db_age);
    if (!age) throw UsageError("--max-db-age: '" + max_db_age + "' is not a duration (7d, 36h)");
    o.max_db_age = std::chrono::duration_cast<std::chrono::hours>(*age);
    o.policy.fail_on = verdict::parse_severity_flag(fail_on, "--fail-on");
    o.policy.ignore_unfixed = ignore_unfixed;
    if (!ignore_file.empty()) o.policy.ignores = scan::load_ignore_file(ignore_file);
    return o;
  }

  void add_options(CLI::App& cmd) {
    // Counts, then findings grouped by package, head the shared table.
    out.context.table = scan::scan_table();
    out.extra["gitlab"] = [](const verdict::Verdict& v) {
      return scan::render_gitlab_container_scanning(v);
    };
    out.extra["cyclonedx"] = [inv = inventory](const verdict::Verdict& v) {
      return scan::render_cyclonedx(*inv, v);
    };
    out.add_options(cmd);
    cmd.add_option("--db", db, "OSV database (default $XDG_CACHE_HOME/tollgate/vulndb.sqlite)");
    cmd.add_option("--max-db-age", max_db_age, "refuse a database older than this")
        ->capture_default_str();
    cmd.add_option("--fail-on", fail_on,
                   "fail at or above this severity: critical, high, medium, low, info, unknown")
        ->capture_default_str();
    cmd.add_flag("--ignore-unfixed", ignore_unfixed,
                 "leave out vulnerabilities that have no fix yet");
    cmd.add_option("--ignore-file", ignore_file, "YAML file of accepted risks (see below)");
    cmd.add_option("--dockerfile", out.context.dockerfile,
                   "the Dockerfile or Containerfile the image was built from: where SARIF places "
                   "findings inside the image (else they name the image and package)");
  }

  int run(const std::function<scan::ScanResult(const scan::ScanOptions&)>& body) {
    // Usage errors (a bad flag value) surface before any work, as exit 2 without a verdict.
    scan::ScanOptions o = options();
    return run_gate("scan", out, [&] {
      scan::ScanResult r;
      try {
        r = body(o);
      } catch (const nlohmann::json::exception& e) {
        // A manifest or config of the wrong shape: still a verdict, not a bare crash message.
        throw Error(std::string("malformed image metadata: ") + e.what());
      }
      *inventory = std::move(r.inventory);
      return std::move(r.verdict);
    });
  }
};

Runner setup_rootfs(CLI::App& cmd) {
  auto c = std::make_shared<ScanCommand>();
  auto dir = std::make_shared<std::string>();
  cmd.description("Scan a root filesystem directory for vulnerable OS packages.");
  cmd.add_option("DIR", *dir, "the root of the filesystem (holding etc/ and var/)")->required();
  c->add_options(cmd);
  cmd.footer(
      std::string(
          "Examples:\n"
          "  tollgate scan rootfs ./rootfs --fail-on critical\n"
          "  tollgate scan rootfs / --format gitlab -o gl-container-scanning-report.json\n\n") +
      kPolicyHelp);
  return [c, dir] {
    return c->run([&](const scan::ScanOptions& o) {
      std::error_code ec;
      if (!std::filesystem::is_directory(*dir, ec))
        throw Error(SourceLocation{*dir}, "not a directory");
      scan::DirectoryFs fs(*dir);
      return scan::scan_filesystem(fs, {"rootfs:" + *dir, "rootfs", ""}, o);
    });
  };
}

Runner setup_sbom(CLI::App& cmd) {
  auto c = std::make_shared<ScanCommand>();
  auto file = std::make_shared<std::string>();
  cmd.description("Scan the OS packages listed in a CycloneDX JSON SBOM (Syft, Trivy, tollgate).");
  cmd.add_option("FILE", *file, "the SBOM (- for stdin)")->required();
  c->add_options(cmd);
  cmd.footer(
      std::string(
          "Examples:\n"
          "  syft alpine:3.18 -o cyclonedx-json > sbom.json && tollgate scan sbom sbom.json\n\n") +
      kPolicyHelp);
  return [c, file] {
    return c->run([&](const scan::ScanOptions& o) {
      std::string text;
      if (*file == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), {});
      } else {
        text = files::read(*file);
      }
      scan::Inventory inv = scan::read_cyclonedx(text, *file);
      // The image the SBOM describes is what GitLab's report and the table name, not the file.
      std::string subject = inv.image.empty() ? "sbom:" + *file : inv.image;
      return scan::scan_inventory(std::move(inv), {subject, "sbom", ""}, o);
    });
  };
}

Runner setup_image(CLI::App& cmd) {
  auto c = std::make_shared<ScanCommand>();
  auto src = std::make_shared<scan::ImageSourceOptions>();
  auto ref = std::make_shared<std::string>();
  auto password_stdin = std::make_shared<bool>(false);
  cmd.description(
      "Scan a container image: a docker save archive (legacy or OCI layout), an OCI layout\n"
      "directory or its tar, a root filesystem directory, an image in podman's or docker's\n"
      "store, or a registry reference pulled with the Registry HTTP API v2. Layers are streamed\n"
      "once and never extracted to disk.");
  cmd.add_option("REF", *ref,
                 "archive path, directory, or image reference [host[:port]/]repo[:tag|@sha256:...]")
      ->required();
  c->add_options(cmd);
  cmd.add_option("--platform", src->platform, "platform to pick from a multi-platform index")
      ->capture_default_str();
  cmd.add_option("--username", src->username,
                 "registry user (password from "
                 "$TOLLGATE_REGISTRY_PASSWORD or --password-stdin)");
  cmd.add_flag("--password-stdin", *password_stdin, "read the registry password from stdin");
  cmd.add_flag("--insecure", src->insecure, "talk plain HTTP to the registry (local registries)");
  cmd.add_option("--image-src", src->sources,
                 "where to look for a reference, in order: podman, docker, registry (default: "
                 "the registry for a name with a host, else podman's or docker's images first)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check(CLI::IsMember({"podman", "docker", "registry"}));
  cmd.footer(
      std::string("Examples:\n"
                  "  tollgate scan image app.tar                      # docker save output\n"
                  "  tollgate scan image localhost/app:1              # podman's local image\n"
                  "  tollgate scan image oci-layout-dir/\n"
                  "  tollgate scan image --insecure 127.0.0.1:5000/shop/cart:1.4\n"
                  "  tollgate scan image ghcr.io/acme/cart@sha256:... --platform linux/arm64\n"
                  "Credentials: --username with $TOLLGATE_REGISTRY_PASSWORD or --password-stdin,\n"
                  "else ~/.docker/config.json (auths.<host>.auth), else anonymous.\n\n") +
      kPolicyHelp);
  return [c, src, ref, password_stdin] {
    if (*password_stdin) {
      std::getline(std::cin, src->password);
    } else if (const char* p = std::getenv("TOLLGATE_REGISTRY_PASSWORD")) {
      src->password = p;
    }
    // Progress goes to stderr so stdout stays clean for pipes: redrawn in place on a terminal,
    // else one line per layer for CI logs.
    bool tty = term::is_tty(2);
    if (tty)
      src->progress = [](const std::string& what) {
        std::cerr << "\r\033[K" << what << std::flush;
      };
    else
      src->progress = [](const std::string& what) { std::cerr << what << "\n"; };
    return c->run([&](const scan::ScanOptions& o) {
      scan::OpenedImage image = scan::open_image(*ref, *src);
      if (tty) std::cerr << "\r\033[K" << std::flush;
      return scan::scan_filesystem(*image.fs, {image.name, image.kind, image.digest}, o);
    });
  };
}

const bool registered_rootfs =
    register_command({"scan rootfs", "Scan a root filesystem directory", setup_rootfs});
const bool registered_sbom = register_command({"scan sbom", "Scan a CycloneDX SBOM", setup_sbom});
const bool registered_image = register_command(
    {"scan image", "Scan a container image (archive, layout or registry)", setup_image});

}  // namespace
}  // namespace tollgate::cli
