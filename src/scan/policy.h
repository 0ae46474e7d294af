#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "scan/inventory.h"
#include "scan/matcher.h"
#include "verdict/verdict.h"

namespace tollgate::scan {

// One accepted risk from the ignore file:
//   ignore:
//     - id: CVE-2023-4911        # the vulnerability (any of its ids or aliases)
//       package: libc6          # optional: binary or source package name
//       reason: not reachable from the service
//       expires: 2026-12-31     # optional; from that day on the entry no longer applies
struct IgnoreRule {
  std::string id;
  std::string package;
  std::string reason;
  std::optional<std::chrono::system_clock::time_point> expires;
  std::string expires_text;
  SourceLocation where;
};

// Reads an ignore file; a malformed one is an Error at its file:line:col.
std::vector<IgnoreRule> load_ignore_file(const std::string& path);

struct Policy {
  verdict::Severity fail_on = verdict::Severity::High;
  bool ignore_unfixed = false;
  std::vector<IgnoreRule> ignores;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// What was scanned, for the verdict's summary and the reports.
struct ScanSubject {
  std::string name;  // "registry.example/app:1.0", "rootfs:/srv/root"
  std::string kind;  // image, rootfs, sbom
  std::string digest;
};

// Applies the policy to the matches: one finding per (vulnerability, package); blocking when at
// or above fail_on, not ignored, and not unfixed under ignore_unfixed.
verdict::Verdict build_verdict(const ScanSubject& subject, const Inventory& inventory,
                               const std::vector<Match>& matches, const Policy& policy);

}  // namespace tollgate::scan
