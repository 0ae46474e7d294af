// Inputs that are not files, or lead out of where they belong, named on the command line or
// inside another input. Each hung tollgate (a FIFO with no writer, /dev/zero) or read a file it
// had no business reading; each is now an exit 2 at once that says what the path is.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/server.h"
#include "util/files.h"
#include "util/process.h"

namespace tollgate::testing {
namespace {

namespace fs = std::filesystem;

class HostileInput : public ::testing::Test {
 protected:
  void SetUp() override {
    fifo_ = dir_.path() / "fifo";
    ASSERT_EQ(mkfifo(fifo_.c_str(), 0600), 0);
  }

  // A hang shows as the timeout's kill, not as exit 2.
  process::Captured tollgate(std::vector<std::string> args) {
    process::Command cmd;
    cmd.argv = {tollgate_binary().string(), "--color=never"};
    cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
    cmd.cwd = dir_.path().string();
    cmd.timeout = std::chrono::seconds(20);
    return process::run_capture(cmd);
  }

  void write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_.path() / name).parent_path());
    files::write_atomic(dir_.path() / name, text);
  }

  static bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  files::TempDir dir_{"hostile-input"};
  fs::path fifo_;
};

const std::string kFifo = "cannot read: a FIFO, not a regular file";

TEST_F(HostileInput, AFifoNamedOnTheCommandLineIsRefusedAtOnce) {
  auto posture = tollgate({"check", "posture", fifo_.string()});
  EXPECT_EQ(posture.outcome.exit_code, 2) << posture.output;
  EXPECT_TRUE(has(posture.output, fifo_.string() + ": " + kFifo)) << posture.output;

  auto focus = tollgate({"check", "budget", "--source", "focus:" + fifo_.string(), "--budget", "10",
                         "--as-of", "2026-11-20T00:00:00Z"});
  EXPECT_EQ(focus.outcome.exit_code, 2) << focus.output;
  EXPECT_TRUE(has(focus.output, kFifo)) << focus.output;

  auto device = tollgate({"check", "posture", "/dev/zero"});
  EXPECT_EQ(device.outcome.exit_code, 2) << device.output;
  EXPECT_TRUE(has(device.output, "/dev/zero: cannot read: a character device, not a regular file"))
      << device.output;
}

TEST_F(HostileInput, AFifoInsideAnotherInputIsRefusedAtOnce) {
  // A load feeder.
  write("scenario.yaml",
        "host: http://127.0.0.1:9\ndata: {users: {csv: fifo}}\n"
        "load: {model: closed, users: 1, iterations: 1}\n"
        "journeys:\n  - name: j\n    requests:\n      - path: /${users.name}\n");
  auto load = tollgate({"load", "scenario.yaml"});
  EXPECT_EQ(load.outcome.exit_code, 2) << load.output;
  EXPECT_TRUE(has(load.output, kFifo)) << load.output;

  // An include:local.
  write(".gitlab-ci.yml", "include: fifo\njob:\n  script: [echo]\n");
  auto plan = tollgate({"plan"});
  EXPECT_EQ(plan.outcome.exit_code, 2) << plan.output;
  EXPECT_TRUE(has(plan.output, kFifo)) << plan.output;

  // An image's config in a docker save directory.
  write("image/manifest.json", R"([{"Config":"config.json","Layers":[]}])");
  ASSERT_EQ(mkfifo((dir_.path() / "image/config.json").c_str(), 0600), 0);
  auto scan = tollgate({"scan", "image", (dir_.path() / "image").string()});
  EXPECT_EQ(scan.outcome.exit_code, 2) << scan.output;
  EXPECT_TRUE(has(scan.output, kFifo)) << scan.output;
}

TEST_F(HostileInput, AnIncludeNeverLeavesTheProject) {
  fs::create_directories(dir_.path() / "project");
  write("project/.gitlab-ci.yml", "include: ../../../../../../dev/zero\njob:\n  script: [echo]\n");
  auto r = tollgate({"plan", "--file", "project/.gitlab-ci.yml"});
  EXPECT_EQ(r.outcome.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "included file '../../../../../../dev/zero' is outside the project"))
      << r.output;
  // Through a symlink in the project, and found by a wildcard: not taken either.
  fs::create_symlink("/etc", dir_.path() / "project/etc");
  fs::create_directories(dir_.path() / "project/ci");
  fs::create_symlink("/etc/passwd", dir_.path() / "project/ci/passwd.yml");
  write("project/.gitlab-ci.yml", "include: etc/passwd\njob:\n  script: [echo]\n");
  r = tollgate({"plan", "--file", "project/.gitlab-ci.yml"});
  EXPECT_EQ(r.outcome.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "'etc/passwd' is outside the project")) << r.output;
  write("project/.gitlab-ci.yml", "include: 'ci/*.yml'\njob:\n  script: [echo]\n");
  r = tollgate({"plan", "--file", "project/.gitlab-ci.yml"});
  EXPECT_EQ(r.outcome.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "include pattern 'ci/*.yml' matches no file")) << r.output;
}

TEST_F(HostileInput, AnImageLayoutNeverFollowsASymlinkOutOfItself) {
  write("image/manifest.json", R"([{"Config":"config.json","Layers":[]}])");
  fs::create_symlink("/dev/zero", dir_.path() / "image/config.json");
  auto r = tollgate({"scan", "image", (dir_.path() / "image").string()});
  EXPECT_EQ(r.outcome.exit_code, 2) << r.output;
  EXPECT_TRUE(has(r.output, "refusing blob path 'config.json': it leads out of the layout"))
      << r.output;
}

}  // namespace
}  // namespace tollgate::testing
