// Kubernetes manifests (posture/reader, posture/k8s) through every rule pack, with a policy of
// custom rules and exemptions, as `tollgate check posture FILE` reads and judges them. Terraform
// plan JSON goes the same way (terraform_plan_fuzz.cc seeds it with plans).
#include "fuzz_support.h"
#include "posture/gate.h"
#include "posture/reader.h"

namespace {

using namespace tollgate;

constexpr const char* kPolicy = R"(
exemptions:
  - rules: [hostNamespaces]
    objects: [DaemonSet/monitoring/*]
    reason: node exporter
    expires: 2099-01-01
custom:
  - id: team-label
    kinds: [Deployment, StatefulSet]
    field: metadata.labels.team
    require: present
  - id: internal-registry
    field: containers[].image
    require: {matches: '^registry\.acme\.internal/'}
  - id: bounded-replicas
    kinds: [Deployment]
    field: spec.replicas
    require: {at_most: 20}
  - id: ports
    field: spec.template.spec.containers[].ports[].containerPort
    require: {not_in: ['22', '23']}
)";

const posture::Options& options() {
  static const posture::Options o = [] {
    posture::Options o;
    std::vector<std::string> ids;
    for (const auto* r : posture::all_rules())
      ids.push_back(r->id);
    o.policy = posture::parse_policy(kPolicy, "posture.yaml", ids);
    o.today = "2026-06-01";
    return o;
  }();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::expect_errors([&] {
    posture::Inputs inputs;
    posture::add_stream(inputs, std::string(fuzz::text(data, size)), "deploy.yaml");
    posture::evaluate(inputs, options());
  });
  return 0;
}
