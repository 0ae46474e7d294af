// The shop example (examples/acme-fitness) on its local path, as `make demo` runs it where no
// container engine works (DELIVERY=local, every job on the shell): six image archives built and
// scanned, both governance gates, the six services as staging processes under load with the CPU and
// latency SLOs, then production. Also: only changed services build, and stale cost data stops the
// release. The container path has example_acme_engine_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "acme_project.h"
#include "util/files.h"

namespace tollgate::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class AcmeFitness : public ::testing::Test {
 protected:
  void SetUp() override { copy_acme_example(p); }

  json artifact_json(const json& run, const std::string& job_dir, const std::string& file) {
    return json::parse(p.artifact(run, job_dir, file));
  }

  // The local path: no engine, no registry, the services as processes.
  json run_local(const std::string& args = "", int expected_exit = 0) {
    return p.run_json("--executor shell --var DELIVERY=local -j 4 " + args, expected_exit);
  }

  PipelineProject p;
};

TEST_F(AcmeFitness, EveryGateVerifiesThenStagingThenProduction) {
  json run = run_local("--var BUILD_ALL=true");
  EXPECT_EQ(run["status"], "success");
  for (const char* s : kAcmeServices) {
    EXPECT_EQ(job_status(run, std::string("build:") + s), "success") << s;
    EXPECT_EQ(job_status(run, std::string("scan:") + s), "success") << s;
  }
  for (const char* j :
       {"registry:start", "budget", "posture", "deploy:staging", "load 1/2", "load 2/2",
        "cpu:front_end", "slo:latency", "deploy:production", "stop:staging", "registry:stop"})
    EXPECT_EQ(job_status(run, j), "success") << j << "\n" << run.dump(1);

  // The scan found what the data says: openssl's fix is newer than the image's (medium, with a
  // fix); glibc's fixed version is exactly the installed one, so that CVE is not reported.
  json report = artifact_json(run, "scan_front_end", "gl-container-scanning-report.json");
  EXPECT_EQ(report["version"], "15.0.7");
  std::string ids;
  for (const auto& v : report["vulnerabilities"])
    ids += v["identifiers"][0]["value"].get<std::string>() + " ";
  EXPECT_NE(ids.find("CVE-2024-2511"), std::string::npos) << ids;
  EXPECT_NE(ids.find("CVE-2010-4756"), std::string::npos) << ids;
  EXPECT_EQ(ids.find("CVE-2024-2961"), std::string::npos) << ids;

  // The load ran against the staging front_end in two shares, merged for the latency SLO.
  json load = artifact_json(run, "slo_latency", "load.json");
  EXPECT_EQ(load["summary"]["shares"], 2);
  EXPECT_EQ(load["status"], "pass");
  EXPECT_GT(load["summary"]["overall"]["count"].get<long>(), 50) << load["summary"].dump();
  // Its thresholds held (under 1% failed: a loaded CI box may time out a request or two).
  EXPECT_LT(load["summary"]["overall"]["failures"].get<double>(),
            0.01 * load["summary"]["overall"]["count"].get<double>());
  std::string slo_log = p.read((*find_job(run, "slo:latency"))["log"]);
  EXPECT_NE(slo_log.find("slo: PASS"), std::string::npos) << slo_log;
  std::string cpu_log = p.read((*find_job(run, "cpu:front_end"))["log"]);
  EXPECT_NE(cpu_log.find("CPU of front_end (key)"), std::string::npos) << cpu_log;

  // Production holds the release; staging's processes were stopped by the .post job.
  EXPECT_TRUE(fs::exists(p.path() / ".tollgate/environments/production/front_end/server.py"));
  std::string env = p.artifact(run, "deploy_staging", "deploy.env");
  size_t at = env.find("FRONT_END_PID=");
  ASSERT_NE(at, std::string::npos) << env;
  pid_t pid = std::stoi(env.substr(at + 14));
  std::string stat;
  if (fs::exists("/proc/" + std::to_string(pid) + "/stat"))
    stat = files::read("/proc/" + std::to_string(pid) + "/stat");
  // Exited: no process, or a zombie its new parent has not reaped yet.
  EXPECT_TRUE(stat.empty() || stat.find(") Z ") != std::string::npos)
      << "staging front_end " << pid << " still runs: " << stat;
}

TEST_F(AcmeFitness, OnlyTheChangedServiceIsBuiltAndScanned) {
  p.write("services/payment/app/VERSION", "1.4.3\n");
  p.commit("payment 1.4.3");
  json run = run_local();
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ(job_status(run, "build:payment"), "success");
  EXPECT_EQ(job_status(run, "scan:payment"), "success");
  for (const char* s : {"cart", "catalog", "front_end", "order", "user"}) {
    EXPECT_EQ(job_status(run, std::string("build:") + s), "absent") << s;
    EXPECT_EQ(job_status(run, std::string("scan:") + s), "absent") << s;
  }
  EXPECT_EQ(job_status(run, "deploy:production"), "success");
}

TEST_F(AcmeFitness, CostDataThatCannotProveTheBudgetStopsTheRelease) {
  json run = run_local("--var BUILD_ALL=true --var COST_AS_OF=2027-01-15", 1);
  EXPECT_EQ(run["status"], "failed");
  EXPECT_EQ(job_status(run, "budget"), "failed");
  std::string log = p.read((*find_job(run, "budget"))["log"]);
  EXPECT_NE(log.find("no cost rows for the billing period holding --as-of 2027-01-15"),
            std::string::npos)
      << log;
  EXPECT_EQ(job_status(run, "deploy:staging"), "skipped");
  EXPECT_EQ(job_status(run, "load 1/2"), "skipped");
  EXPECT_EQ(job_status(run, "deploy:production"), "skipped");
  EXPECT_FALSE(fs::exists(p.path() / ".tollgate/environments/production"));
}

}  // namespace
}  // namespace tollgate::testing
