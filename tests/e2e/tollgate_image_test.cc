// The tollgate image (make image) runs the gates inside a pipeline's jobs, in the container
// executor, as gate jobs run on GitLab's runners: a posture check of the shop's manifests whose
// SARIF report comes back as an artifact, and a failing gate that fails its job.
#include <gtest/gtest.h>

#include "pipeline_project.h"

namespace tollgate::testing {
namespace {

TEST(TollgateImage, GateJobsRunInTheImageAndTheirReportsComeBack) {
  auto built = build_tollgate_image();
  ASSERT_EQ(built.outcome.exit_code, 0) << built.output;
  EXPECT_NE(built.output.find(tollgate_image() + " (tollgate "), std::string::npos) << built.output;

  PipelineProject p;
  p.sh("cp -r " + (source_dir() / "examples/acme-fitness/k8s").string() + " k8s");
  p.write("bad/pod.yaml",
          "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
          "    - name: c\n      image: x\n      securityContext: {privileged: true}\n");
  p.write(".gitlab-ci.yml", "default:\n  image: " + tollgate_image() + R"yaml(
posture:
  script:
    - tollgate check posture k8s/ --level restricted --fail-on high --report sarif=posture.sarif
  artifacts:
    paths: [posture.sarif]
privileged:
  script:
    - tollgate check posture bad/ --level restricted --fail-on high
)yaml");
  auto run = p.run_json("--executor podman", 1);
  const auto& posture = *find_job(run, "posture");
  EXPECT_EQ(posture["status"], "success") << p.read(posture["log"]);
  std::string log = p.read(posture["log"]);
  EXPECT_NE(log.find("Running with podman: " + tollgate_image()), std::string::npos) << log;
  auto sarif = nlohmann::json::parse(p.read(".tollgate/runs/1/artifacts/posture/posture.sarif"),
                                     nullptr, false);
  EXPECT_EQ(sarif["version"], "2.1.0") << sarif;
  const auto& privileged = *find_job(run, "privileged");
  EXPECT_EQ(privileged["status"], "failed");
  EXPECT_EQ(privileged["exit_code"], 1)
      << "a closed gate, not an error: " << p.read(privileged["log"]);
}

}  // namespace
}  // namespace tollgate::testing
