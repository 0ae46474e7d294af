// The shop example (examples/acme-fitness) on this machine's real podman, as `make demo` runs it
// when an engine works: a registry started by the pipeline, six images built, pushed and
// scanned from it, staging and production played from the k8s/ manifests, the CPU gate reading
// front_end's container, and the faults INJECT asks for closing the gate they should.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "acme_project.h"
#include "support/server.h"
#include "util/files.h"

namespace tollgate::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The value of NAME in a dotenv file's text, or "".
std::string dotenv_value(const std::string& text, const std::string& name) {
  size_t at = text.find(name + "=");
  if (at == std::string::npos) return "";
  size_t end = text.find('\n', at);
  return text.substr(at + name.size() + 1, end - at - name.size() - 1);
}

class AcmeOnAnEngine : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The gate jobs run in tollgate's own image, made from this build.
    auto built = build_tollgate_image();
    ASSERT_EQ(built.outcome.exit_code, 0) << built.output;
  }

  void SetUp() override {
    copy_acme_example(p);
    // Pods and networks of this test's own names, side by side with any other run's.
    stack = "t" + std::to_string(::getpid());
    args = "--var STACK=" + stack + " --var TOLLGATE_IMAGE=" + tollgate_image() + " -j 4 ";
  }

  // Nothing is left: the environments' pods and networks by name, the registry by its config.
  void TearDown() override {
    shell("podman pod ls -q --filter name=^" + stack +
          "- | xargs -r podman pod rm -f -t 0 >/dev/null 2>&1; podman network rm -f " + stack +
          "-staging " + stack + "-production >/dev/null 2>&1; pkill -f '" + p.path().string() +
          "/.tollgate/registry/config.yml'; true");
  }

  bool pod_exists(const std::string& env, const std::string& deployment) {
    return shell("podman pod exists " + stack + "-" + env + "-" + deployment + "-pod-0")
               .exit_code == 0;
  }

  PipelineProject p;
  std::string stack, args;
};

TEST_F(AcmeOnAnEngine, ReleaseGoesThroughEveryGateToProductionThenInjectedCpuRollsStagingBack) {
  json run = p.run_json(args + "--var BUILD_ALL=true");
  for (const auto& job : run["jobs"]) {
    if (job["name"] != "rollback:staging") {
      EXPECT_EQ(job["status"], "success") << job["name"] << ":\n" << p.read(job["log"]);
    }
  }
  EXPECT_EQ(job_status(run, "rollback:staging"), "skipped");

  // The gates ran in tollgate's image; the load in two shares that were merged.
  std::string scan_log = p.read((*find_job(run, "scan:cart"))["log"]);
  EXPECT_NE(scan_log.find("Running with podman: " + tollgate_image()), std::string::npos)
      << scan_log;
  json load = json::parse(p.artifact(run, "slo_latency", "load.json"));
  EXPECT_EQ(load["summary"]["shares"], 2);
  // Its thresholds held (under 1% failed: a loaded CI box may time out a request or two).
  EXPECT_EQ(load["status"], "pass") << load["summary"].dump();
  EXPECT_GT(load["summary"]["overall"]["count"].get<long>(), 300) << load["summary"].dump();
  std::string cpu_log = p.read((*find_job(run, "cpu:front_end"))["log"]);
  EXPECT_NE(cpu_log.find("source: container:" + stack + "-staging-front-end-pod-0-front-end"),
            std::string::npos)
      << cpu_log;

  // The registry, started again on the run's storage, lists the six images with the run's tag.
  std::string sha = p.sh("git rev-parse HEAD").out.substr(0, 8);  // $CI_COMMIT_SHORT_SHA
  int port = free_port();
  std::string config = files::read(p.path() / ".tollgate/registry/config.yml");
  config = config.substr(0, config.find("http:")) +
           "http:\n  addr: 127.0.0.1:" + std::to_string(port) + "\n";
  files::write_atomic(p.path() / "registry-again.yml", config);
  {
    ServerProcess registry({"docker-registry", "serve", (p.path() / "registry-again.yml").string()},
                           p.path() / "registry-again.log");
    registry.wait_for_port(port);
    std::string base = "http://127.0.0.1:" + std::to_string(port) + "/v2/";
    json catalog = json::parse(shell("curl -sf " + base + "_catalog").out);
    for (const char* s : kAcmeServices) {
      std::string repo = std::string("acme/") + s;
      EXPECT_NE(std::find(catalog["repositories"].begin(), catalog["repositories"].end(), repo),
                catalog["repositories"].end())
          << repo << " in " << catalog;
      json tags = json::parse(shell("curl -sf " + base + repo + "/tags/list").out);
      EXPECT_NE(std::find(tags["tags"].begin(), tags["tags"].end(), sha), tags["tags"].end())
          << tags;
    }
  }

  // Production still answers after the run; staging is gone.
  std::string production = p.artifact(run, "deploy_production", "deploy.env");
  std::string url = dotenv_value(production, "ENV_URL");
  EXPECT_NE(shell("curl -sf " + url + "/health").out.find("ok"), std::string::npos) << production;
  EXPECT_NE(shell("curl -sf " + url + "/products").out.find("\"id\""), std::string::npos);
  for (const char* d : {"front-end", "catalog", "cart", "order", "payment", "user"}) {
    EXPECT_TRUE(pod_exists("production", d)) << d;
    EXPECT_FALSE(pod_exists("staging", d)) << d;
  }
  std::string release = dotenv_value(production, "RELEASE");
  json history = p.tollgate("env history production --format json").json();
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history[0]["release"], release) << history;

  // INJECT=cpu: front_end burns CPU a request; its gate fails, staging goes back to the release
  // that passed, production keeps it.
  json bad = p.run_json(args + "--var INJECT=cpu", 1);
  EXPECT_EQ(job_status(bad, "cpu:front_end"), "failed");
  EXPECT_EQ(job_status(bad, "deploy:production"), "skipped");
  EXPECT_EQ(job_status(bad, "rollback:staging"), "success");
  std::string rollback = p.read((*find_job(bad, "rollback:staging"))["log"]);
  EXPECT_NE(rollback.find("to " + release + ", the last that passed"), std::string::npos)
      << rollback;
  // Newest first: the .post stop, the rollback to the release that passed, the failed release.
  json staging = p.tollgate("env history staging --format json").json();
  ASSERT_GE(staging.size(), 4u) << staging;
  EXPECT_EQ(staging[0]["job"], "stop:staging") << staging;
  EXPECT_EQ(staging[0]["action"], "stop") << staging;
  EXPECT_EQ(staging[1]["job"], "rollback:staging") << staging;
  EXPECT_EQ(staging[1]["release"], release) << staging;
  EXPECT_EQ(staging[2]["job"], "deploy:staging") << staging;
  EXPECT_NE(staging[2]["release"], release) << staging;
  json envs = p.tollgate("env list --format json").json();
  for (const auto& e : envs) {
    if (e["environment"] == "production") {
      EXPECT_EQ(e["current"]["release"], release) << envs;
    } else {
      EXPECT_TRUE(e["current"].is_null()) << "staging was stopped: " << envs;
    }
  }
  EXPECT_NE(shell("curl -sf " + url + "/health").out.find("ok"), std::string::npos);
}

TEST_F(AcmeOnAnEngine, VulnerablePackageFailsItsScanAndNothingDeploys) {
  // payment is built (its rules take INJECT=vuln) with acme-legacy-tls 1.0.2-1 in it.
  json run = p.run_json(args + "--var INJECT=vuln", 1);
  EXPECT_EQ(job_status(run, "build:payment"), "success");
  EXPECT_EQ(job_status(run, "scan:payment"), "failed");
  std::string log = p.read((*find_job(run, "scan:payment"))["log"]);
  EXPECT_NE(log.find("acme-legacy-tls  1.0.2-1           ACME-2026-0001 *  CRITICAL  1.1.0-1"),
            std::string::npos)
      << log;
  EXPECT_EQ(job_status(run, "deploy:staging"), "skipped");
  EXPECT_EQ(job_status(run, "rollback:staging"), "skipped") << "staging was never touched";
  EXPECT_FALSE(pod_exists("staging", "payment"));
  // Staging's history holds the .post stop alone: nothing was deployed there.
  json history = p.tollgate("env history staging --format json").json();
  ASSERT_EQ(history.size(), 1u) << history;
  EXPECT_EQ(history[0]["action"], "stop") << history;
}

TEST_F(AcmeOnAnEngine, SlowCatalogFailsTheLatencySloAndProductionIsNotTouched) {
  json run = p.run_json(args + "--var BUILD_ALL=true --var INJECT=latency", 1);
  EXPECT_EQ(job_status(run, "deploy:staging"), "success");
  EXPECT_EQ(job_status(run, "slo:latency"), "failed");
  std::string log = p.read((*find_job(run, "slo:latency"))["log"]);
  EXPECT_NE(log.find("Response time p95 (key)"), std::string::npos) << log;
  EXPECT_EQ(job_status(run, "deploy:production"), "skipped");
  EXPECT_EQ(job_status(run, "rollback:staging"), "success");
  std::string rollback = p.read((*find_job(run, "rollback:staging"))["log"]);
  EXPECT_NE(rollback.find("no release has passed there yet"), std::string::npos) << rollback;
  EXPECT_FALSE(pod_exists("production", "front-end"));
}

TEST_F(AcmeOnAnEngine, AConfiguredRegistryIsUsedAndNoneIsStarted) {
  json run = p.run_json("registry:start --var REGISTRY=registry.acme.test:5000");
  std::string log = p.read((*find_job(run, "registry:start"))["log"]);
  EXPECT_NE(log.find("registry: using the configured registry.acme.test:5000"), std::string::npos)
      << log;
  EXPECT_EQ(p.artifact(run, "registry_start", "registry.env"), "") << "nothing to hand on";
  EXPECT_FALSE(fs::exists(p.path() / ".tollgate/registry/config.yml"));
}

TEST_F(AcmeOnAnEngine, PrivilegedManifestFailsPostureAndNothingDeploys) {
  json run = p.run_json(args + "--var BUILD_ALL=true --var INJECT=privileged", 1);
  EXPECT_EQ(job_status(run, "posture"), "failed");
  std::string log = p.read((*find_job(run, "posture"))["log"]);
  EXPECT_NE(log.find("privileged"), std::string::npos) << log;
  EXPECT_EQ(job_status(run, "deploy:staging"), "skipped");
  EXPECT_EQ(job_status(run, "deploy:production"), "skipped");
  EXPECT_FALSE(pod_exists("staging", "front-end"));
  EXPECT_FALSE(pod_exists("production", "front-end"));
  // The registry this run started was stopped at its end.
  std::string registry = p.artifact(run, "registry_start", "registry.env");
  std::string pid = dotenv_value(registry, "REGISTRY_PID");
  ASSERT_FALSE(pid.empty()) << registry;
  // Exited: no process, or a zombie its new parent has not reaped yet.
  std::string stat =
      fs::exists("/proc/" + pid + "/stat") ? files::read("/proc/" + pid + "/stat") : "";
  EXPECT_TRUE(stat.empty() || stat.find(") Z ") != std::string::npos)
      << "the registry still runs: " << stat << p.read((*find_job(run, "registry:stop"))["log"]);
}

}  // namespace
}  // namespace tollgate::testing
