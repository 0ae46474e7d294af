#pragma once

#include <string>
#include <vector>

#include "posture/k8s.h"
#include "verdict/verdict.h"

namespace tollgate::posture {

// The rule packs of `--rules`.
enum class Pack { Pss, Workload, Terraform, Custom };
std::string_view to_string(Pack p);

// What a rule is, for findings, --list-rules and the docs.
struct RuleInfo {
  std::string id;
  Pack pack = Pack::Workload;
  verdict::Severity severity = verdict::Severity::Medium;
  std::string title;  // what is wrong, one line
  std::string why;    // one paragraph: why it matters
  std::string fix;    // how to make it go away
};

// One offending field: where it is written and what it says.
struct Hit {
  SourceLocation where;
  std::string what;  // "spec.template.spec.containers[0].securityContext.privileged is true"
};

// What a rule is about: a Kubernetes object or a Terraform resource.
struct Subject {
  std::string name;  // "Deployment/shop/cart", "aws_s3_bucket.logs"
  std::string kind;  // "Deployment", "aws_s3_bucket"
  std::string ns;    // Kubernetes namespace, "" otherwise
  SourceLocation where;

  static Subject of(const Object& obj) { return {obj.subject(), obj.kind, obj.ns, obj.where}; }
};

// One rule failing on one subject (all its offending fields together).
struct Raised {
  const RuleInfo* rule = nullptr;
  Subject subject;
  std::vector<Hit> hits;
  // The rule could not decide: a value is known only after `terraform apply`.
  bool unverifiable = false;
};

// Rules report here; the gate turns what they raised into findings under the policy.
class Collector {
 public:
  // Records rule failing on subject when hits is non-empty.
  void raise(const RuleInfo& rule, const Subject& subject, std::vector<Hit> hits,
             bool unverifiable = false);
  const std::vector<Raised>& raised() const { return raised_; }
  std::vector<Raised>& raised() { return raised_; }

 private:
  std::vector<Raised> raised_;
};

}  // namespace tollgate::posture
