#pragma once

#include <string>
#include <vector>

#include "verdict/verdict.h"

namespace tollgate::load {

// `tollgate load merge`: reads the Verdict JSON files of the parts of one run (`--share I/N`),
// adds their histograms and counts, and judges the merged figures against the thresholds the
// parts carry. Merging is exact, so it refuses, with an Error naming the file and the reason,
// anything that would make it wrong: a file that is not a load result, another scenario or
// other load settings, histograms of other settings, a share given twice, shares of different
// N, or a share missing.
verdict::Verdict merge_results(const std::vector<std::string>& files);

}  // namespace tollgate::load
