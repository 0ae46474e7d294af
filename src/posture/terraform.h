#pragma once

#include <vector>

#include "posture/rule.h"

// AWS rules over Terraform plan JSON (`terraform show -json PLANFILE`), with Checkov's ids.
namespace tollgate::posture::terraform {

const std::vector<RuleInfo>& rules();
const RuleInfo& rule(std::string_view id);

// Evaluates one plan document. Values that are known only after apply make the rule report
// "cannot be verified" rather than pass.
void check(const Node& plan, Collector& out);

// How many resources a plan will hold after apply (for the summary).
size_t resource_count(const Node& plan);

}  // namespace tollgate::posture::terraform
