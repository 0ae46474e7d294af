#pragma once

#include <string>
#include <string_view>

#include "scan/inventory.h"
#include "verdict/verdict.h"

namespace tollgate::scan {

// The container_scanning schema version the GitLab report declares: 15.0.7 is accepted by
// GitLab 16.x and 17.x (15.2.x is rejected by 17.2).
inline constexpr std::string_view kGitlabSchemaVersion = "15.0.7";

// GitLab's container_scanning report (gl-container-scanning-report.json) for a scan verdict: one
// vulnerability per finding, with every field schema 15.0.7 requires. An error verdict gives a
// report with scan.status "failure" and the reason as a fatal message.
std::string render_gitlab_container_scanning(const verdict::Verdict& v);

// A CycloneDX 1.4 JSON SBOM of the inventory with the verdict's vulnerabilities (the version
// GitLab ingests from container scanning).
std::string render_cyclonedx(const Inventory& inventory, const verdict::Verdict& v);

// A stable RFC 4122-shaped id derived from text (SHA-256 based), so a finding keeps its id from
// one report to the next.
std::string stable_uuid(std::string_view text);
// A random (version 4) UUID, for what must differ every time: a BOM's serialNumber.
std::string random_uuid();

}  // namespace tollgate::scan
