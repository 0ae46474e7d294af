#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "scan/image_fs.h"
#include "scan/inventory.h"
#include "scan/policy.h"
#include "verdict/verdict.h"

namespace tollgate::scan {

struct ScanOptions {
  std::filesystem::path db;               // the OSV store
  std::chrono::hours max_db_age{24 * 7};  // older data fails closed
  Policy policy;
};

// Everything a scan produced: the verdict and, for SBOM-style reports, the inventory.
struct ScanResult {
  Inventory inventory;
  verdict::Verdict verdict;
};

// Matches an inventory against the store and applies the policy. Fails closed (throws Error)
// when the store is missing, empty or too old, or when the OS has no advisories tollgate can
// match: an image that could not be checked is never reported as clean.
ScanResult scan_inventory(Inventory inventory, const ScanSubject& subject,
                          const ScanOptions& options);

// Reads the inventory of a filesystem view, then scan_inventory.
ScanResult scan_filesystem(const ImageFs& fs, const ScanSubject& subject,
                           const ScanOptions& options);

}  // namespace tollgate::scan
