#pragma once

#include <set>
#include <string>
#include <vector>

#include "posture/policy.h"
#include "posture/pss.h"
#include "posture/reader.h"
#include "verdict/verdict.h"

namespace tollgate::posture {

struct Options {
  pss::Options pss;
  std::set<Pack> packs;  // empty: every pack that applies to the inputs
  verdict::Severity fail_on = verdict::Severity::High;
  Policy policy;
  std::string today;  // YYYY-MM-DD for exemption expiry; "" means the current UTC date
};

// Every rule tollgate knows (PSS, workload, Terraform), for --list-rules and policy checks.
std::vector<const RuleInfo*> all_rules();

// Evaluates the inputs under the options and policy. PSS violations at the chosen level always
// block; other findings block at or above fail_on. Throws Error when there is nothing to check.
verdict::Verdict evaluate(const Inputs& inputs, const Options& options);

}  // namespace tollgate::posture
