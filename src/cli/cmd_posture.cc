// tollgate check posture: Pod Security Standards, workload best practice and Terraform AWS rules.
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "cli/gate_output.h"
#include "posture/gate.h"
#include "util/table.h"

namespace tollgate::cli {
namespace {

constexpr const char* kFooter =
    R"(Inputs: YAML (multi-document, kind: List) and JSON files, directories (walked for
*.yaml, *.yml, *.json) and - for stdin, e.g. `kubectl get deploy,sts,ds,svc,netpol,pdb -A -o json`.
Kubernetes objects are recognised by apiVersion + kind, Terraform plans (terraform show -json)
by format_version.

Rule packs (--rules, default: every pack that applies to the inputs):
  pss        Pod Security Standards as Pod Security Admission evaluates them (control ids such as
             hostNamespaces, runAsNonRoot, seccompProfile_restricted), at --level and --pss-version.
             A violation ALWAYS fails the gate, whatever --fail-on says.
  workload   resources, probes, image tags, NetworkPolicy/PDB coverage, RBAC, Services, ...
  terraform  AWS rules with Checkov ids (CKV_AWS_20 public S3, CKV_AWS_24 SSH open, ...); a value
             known only after apply is reported as "cannot be verified", never passed.
  custom     rules from the policy file.

Policy file (--policy, default .tollgate/posture.yaml when it exists): level, pss_version, rules,
fail_on, disable: [ids], severity: {id: sev}, exemptions (rules, namespaces/objects, reason,
expires: YYYY-MM-DD) and custom rules; see docs/posture.md. Flags override the file.

Exit codes: 0 no PSS violation and no finding at or above --fail-on; 1 otherwise;
2 could not verify (unreadable or invalid input, file:line:col in the message).

Examples:
  tollgate check posture k8s/                              # restricted, latest PSS
  tollgate check posture --level baseline --pss-version v1.30 deploy.yaml
  kubectl get pods -A -o json | tollgate check posture --rules pss -
  terraform show -json plan.out > plan.json && tollgate check posture plan.json -f sarif -o posture.sarif
  tollgate check posture --list-rules)";

void list_rules() {
  TextTable table({"ID", "PACK", "SEVERITY", "TITLE"});
  for (const auto* r : posture::all_rules())
    table.add({r->id, std::string(posture::to_string(r->pack)),
               std::string(verdict::to_string(r->severity)), r->title});
  std::cout << table.render();
}

Runner setup(CLI::App& cmd) {
  struct Flags {
    std::vector<std::string> paths;
    std::string level, pss_version, fail_on, policy;
    std::vector<std::string> rules;
    bool no_policy = false, list = false;
    GateOutput out;
  };
  auto f = std::make_shared<Flags>();
  cmd.add_option("paths", f->paths, "Manifests, directories, Terraform plan JSON, or - for stdin");
  cmd.add_option("--level", f->level,
                 "Pod Security Standards level: baseline or restricted (default restricted)");
  cmd.add_option(
      "--pss-version", f->pss_version,
      "Evaluate PSS as of this Kubernetes version: latest (v1.36) or v1.NN (default latest)");
  cmd.add_option("--rules", f->rules,
                 "Rule packs: pss,workload,terraform,custom (default: all that apply)")
      ->delimiter(',')
      ->allow_extra_args(false);  // `--rules pss pod.yaml`: pod.yaml is a path
  cmd.add_option("--fail-on", f->fail_on,
                 "Non-PSS findings at or above this severity fail the gate: info, low, medium, "
                 "high, critical (default high)");
  cmd.add_option("--policy", f->policy, "Policy file (default .tollgate/posture.yaml if present)");
  cmd.add_flag("--no-policy", f->no_policy, "Ignore .tollgate/posture.yaml");
  cmd.add_flag("--list-rules", f->list,
               "List every rule with its pack and default severity, and exit");
  f->out.add_options(cmd);
  cmd.footer(kFooter);
  return [f]() -> int {
    if (f->list) {
      list_rules();
      return 0;
    }
    if (f->paths.empty())
      throw UsageError("check posture: give manifests, directories, a plan JSON or - (see --help)");
    posture::Options options;
    // Flags are parsed before the gate runs so a usage mistake is exit 2 without a verdict.
    std::string policy_path = f->policy;
    if (policy_path.empty() && !f->no_policy && std::filesystem::exists(".tollgate/posture.yaml"))
      policy_path = ".tollgate/posture.yaml";
    return run_gate("posture", f->out, [&]() {
      if (!policy_path.empty()) {
        std::vector<std::string> ids;
        for (const auto* r : posture::all_rules())
          ids.push_back(r->id);
        options.policy = posture::load_policy(policy_path, ids);
      }
      const auto& p = options.policy;
      if (p.level) options.pss.level = *p.level;
      if (p.pss_minor) options.pss.minor = *p.pss_minor;
      if (p.packs) options.packs = *p.packs;
      if (p.fail_on) options.fail_on = *p.fail_on;
      if (!f->level.empty()) options.pss.level = posture::pss::parse_level(f->level, "--level");
      if (!f->pss_version.empty())
        options.pss.minor = posture::pss::parse_version(f->pss_version, "--pss-version");
      if (!f->rules.empty()) options.packs = posture::parse_packs(f->rules);
      if (!f->fail_on.empty())
        options.fail_on = verdict::parse_severity_flag(f->fail_on, "--fail-on");
      return posture::evaluate(posture::read_inputs(f->paths), options);
    });
  };
}

const bool registered = register_command(
    {"check posture",
     "Security posture: Pod Security Standards, workload rules, Terraform AWS plans", setup});

}  // namespace
}  // namespace tollgate::cli
