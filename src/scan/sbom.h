#pragma once

#include <string>
#include <string_view>

#include "scan/inventory.h"

namespace tollgate::scan {

// Reads a CycloneDX JSON SBOM (as Syft, Trivy or tollgate write it) into an inventory: the OS
// from the operating-system component (else a purl's distro= qualifier), packages from deb and
// apk purls, the source package from the purl's upstream= qualifier or the
// tollgate:source_package / syft:metadata:source properties. Errors name file:line:col.
Inventory read_cyclonedx(std::string_view text, const std::string& file);

// Percent-decoding for purl parts.
std::string purl_decode(std::string_view s);

}  // namespace tollgate::scan
