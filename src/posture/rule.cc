#include "posture/rule.h"

namespace tollgate::posture {

std::string_view to_string(Pack p) {
  switch (p) {
    case Pack::Pss:
      return "pss";
    case Pack::Workload:
      return "workload";
    case Pack::Terraform:
      return "terraform";
    case Pack::Custom:
      return "custom";
  }
  return "?";
}

void Collector::raise(const RuleInfo& rule, const Subject& subject, std::vector<Hit> hits,
                      bool unverifiable) {
  if (hits.empty()) return;
  raised_.push_back({&rule, subject, std::move(hits), unverifiable});
}

}  // namespace tollgate::posture
