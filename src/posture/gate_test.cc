#include "posture/gate.h"

#include <gtest/gtest.h>

#include "posture/test_support.h"

namespace tollgate::posture {
namespace {

using verdict::Severity;
using verdict::Status;

// Meets restricted PSS but breaks workload rules of every severity.
const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: cart}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: cart
          image: cart:latest
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
)";

std::vector<std::string> known_ids() {
  std::vector<std::string> ids;
  for (const auto* r : all_rules())
    ids.push_back(r->id);
  return ids;
}

verdict::Verdict evaluate_text(const std::string& text, Options options) {
  Inputs in = testing::read_text(text, "deploy.yaml");
  if (options.today.empty()) options.today = "2026-06-01";
  return evaluate(in, options);
}

const verdict::Finding* finding(const verdict::Verdict& v, const std::string& id) {
  for (const auto& f : v.findings)
    if (f.id == id) return &f;
  return nullptr;
}

TEST(GateTest, FailOnDecidesForNonPssFindings) {
  Options o;
  auto v = evaluate_text(kDeployment, o);
  EXPECT_EQ(v.status, Status::Fail);  // image-tag-mutable and network-policy-missing are high
  EXPECT_EQ(v.reason, "2 findings at or above high");
  o.fail_on = Severity::Critical;
  v = evaluate_text(kDeployment, o);
  EXPECT_EQ(v.status, Status::Pass);
  EXPECT_FALSE(v.findings.empty());
  EXPECT_FALSE(finding(v, "image-tag-mutable")->blocking);
}

TEST(GateTest, PssViolationAlwaysBlocks) {
  std::string text = std::string(kDeployment) + "      hostNetwork: true\n";
  text = kDeployment;
  text.replace(text.find("      containers:"), 0, "      hostNetwork: true\n");
  Options o;
  o.fail_on = Severity::Critical;
  o.pss.level = pss::Level::Baseline;
  auto v = evaluate_text(text, o);
  EXPECT_EQ(v.status, Status::Fail);
  const auto* f = finding(v, "hostNamespaces");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->blocking);
  EXPECT_EQ(f->subject, "Deployment/shop/cart");
  EXPECT_EQ(f->location.str(), "deploy.yaml:10:7");
  EXPECT_EQ(f->properties["pss_version"], "v1.36");
  EXPECT_EQ(v.summary["pss_violations"], 1);
}

TEST(GateTest, HostPortReportedOnceWhenPssRuns) {
  std::string text = kDeployment;
  text += "          ports: [{containerPort: 80, hostPort: 80}]\n";
  auto v = evaluate_text(text, Options{});
  EXPECT_NE(finding(v, "hostPorts"), nullptr);
  EXPECT_EQ(finding(v, "host-port"), nullptr);
  Options workload_only;
  workload_only.packs = {Pack::Workload};
  v = evaluate_text(text, workload_only);
  EXPECT_NE(finding(v, "host-port"), nullptr);
}

TEST(GateTest, PolicyDisablesReratesAndExempts) {
  Options o;
  o.policy = parse_policy(R"(
fail_on: high
disable: [network-policy-missing]
severity:
  image-tag-mutable: low
exemptions:
  - rules: [cpu-requests-missing, memory-requests-missing]
    objects: ["Deployment/shop/*"]
    reason: sized by the VPA
    expires: 2026-12-31
  - rules: [read-only-root-filesystem]
    namespaces: [shop]
    reason: legacy app writes to /tmp
    expires: 2026-01-31
)",
                          ".tollgate/posture.yaml", known_ids());
  o.fail_on = *o.policy.fail_on;
  auto v = evaluate_text(kDeployment, o);
  EXPECT_EQ(v.status, Status::Pass) << v.reason;
  EXPECT_EQ(finding(v, "network-policy-missing"), nullptr);
  EXPECT_EQ(finding(v, "image-tag-mutable")->severity, Severity::Low);
  EXPECT_EQ(finding(v, "cpu-requests-missing"), nullptr);
  EXPECT_EQ(v.summary["exempted"], 2);
  // The second exemption expired in January: its rule is back.
  EXPECT_NE(finding(v, "read-only-root-filesystem"), nullptr);
  EXPECT_EQ(v.summary["expired_exemptions"].size(), 1u);
}

TEST(GateTest, PolicyErrorsPointAtTheMistake) {
  auto error_at = [](const std::string& text) {
    try {
      parse_policy(text, "p.yaml", known_ids());
    } catch (const Error& e) {
      return e.message();
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_at("levle: baseline\n"),
            "p.yaml:1:1: unknown key 'levle' in the posture policy (did you mean 'level'?)");
  EXPECT_EQ(error_at("disable: [hostNamespace]\n"),
            "p.yaml:1:11: unknown rule 'hostNamespace' (did you mean 'hostNamespaces'?)");
  EXPECT_NE(error_at("exemptions:\n  - namespaces: [x]\n    expires: 2027-01-01\n")
                .find("needs a reason"),
            std::string::npos);
  EXPECT_NE(error_at("exemptions:\n  - namespaces: [x]\n    reason: r\n").find("expiry date"),
            std::string::npos);
  EXPECT_NE(error_at("exemptions:\n  - namespaces: [x]\n    reason: r\n    expires: soon\n")
                .find("p.yaml:4:14"),
            std::string::npos);
  EXPECT_NE(error_at("severity: {privileged: severe}\n").find("not a severity"), std::string::npos);
  EXPECT_NE(error_at("rules: [pss, cloud]\n").find("unknown rule pack 'cloud'"), std::string::npos);
}

TEST(GateTest, CustomRules) {
  Options o;
  o.packs = {Pack::Custom};
  o.policy = parse_policy(R"(
custom:
  - id: team-label
    severity: high
    title: Workloads name their owning team
    fix: add metadata.labels.team
    kinds: [Deployment]
    field: metadata.labels.team
    require: present
  - id: internal-registry
    severity: critical
    field: containers[].image
    require: {matches: '^registry\.acme\.internal/'}
  - id: max-replicas
    kinds: [Deployment]
    field: spec.replicas
    require: {at_most: 1}
  - id: pinned-namespace
    field: metadata.namespace
    require: {in: [shop, ops]}
disable: [pinned-namespace]
)",
                          "p.yaml", known_ids());
  auto v = evaluate_text(kDeployment, o);
  ASSERT_NE(finding(v, "team-label"), nullptr);
  EXPECT_EQ(finding(v, "team-label")->detail, "metadata.labels.team is not set");
  EXPECT_EQ(finding(v, "team-label")->location.str(), "deploy.yaml:3:11");  // deepest parent
  ASSERT_NE(finding(v, "internal-registry"), nullptr);
  EXPECT_EQ(finding(v, "internal-registry")->location.str(), "deploy.yaml:12:11");
  EXPECT_EQ(finding(v, "max-replicas")->detail, "spec.replicas is 2");
  EXPECT_EQ(finding(v, "pinned-namespace"), nullptr);
  EXPECT_EQ(v.status, Status::Fail);
  EXPECT_THROW(parse_policy("custom:\n  - id: privileged\n    field: x\n    require: present\n",
                            "p", known_ids()),
               Error);
  EXPECT_THROW(parse_policy("custom:\n  - id: x\n    field: x\n    require: {matches: '('}\n", "p",
                            known_ids()),
               Error);
}

// A custom rule's pattern runs in time linear in the value: a 200,000-character image name
// crashed std::regex (recursion per character) and `^(a|aa)+$` never ended on a long 'a' run.
TEST(GateTest, CustomPatternsStayLinearOnHostileValues) {
  Options o;
  o.policy = parse_policy(R"(
custom:
  - id: aa
    field: metadata.name
    require: {matches: '^(a|aa)+$'}
)",
                          "p.yaml", known_ids());
  std::string name(200'000, 'a');
  std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "b}\n" +
                    "spec: {containers: [{name: c, image: x}]}\n";
  auto v = evaluate_text(pod, o);
  ASSERT_NE(finding(v, "aa"), nullptr) << "the name ends in b: no match";
  EXPECT_THROW(parse_policy("custom:\n  - id: x\n    field: x\n    require: {matches: '(a)\\1'}\n",
                            "p", known_ids()),
               Error)
      << "a backreference is not RE2: refused when the policy is read";
}

TEST(GateTest, NothingToCheckIsAnError) {
  Inputs in;
  EXPECT_THROW(evaluate(in, Options{}), Error);
}

}  // namespace
}  // namespace tollgate::posture
