#include "util/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "util/error.h"
#include "util/files.h"

namespace tollgate::process {
namespace {

TEST(Process, StreamsMergedLinesInOrder) {
  std::vector<std::string> lines;
  Command cmd{{"bash", "-c", "echo one; echo two >&2; printf three"}};
  Outcome o = run_streaming(cmd, [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(o.exit_code, 0);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "one");
  EXPECT_EQ(lines[1], "two");
  EXPECT_EQ(lines[2], "three");
}

// A 256 MiB line took 536 MB to pass on; a long line now goes in pieces of at most 1 MiB.
TEST(Process, ALineWithoutABreakComesInPiecesOfAtMostOneMebibyte) {
  std::vector<std::string> lines;
  // 3 MiB + 5 bytes of 'x', a break, then "end".
  Command cmd{{"bash", "-c", "head -c 3145733 /dev/zero | tr '\\0' x; printf '\\nend\\n'"}};
  run_streaming(cmd, [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_EQ(lines.size(), 5u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(lines[i], std::string(1 << 20, 'x'));
  EXPECT_EQ(lines[3], "xxxxx");
  EXPECT_EQ(lines[4], "end");
}

// Words of 8 characters and a blank: a piece ends after the last blank in its 1 MiB, so no word
// (and no masked value, which has no blanks) is split between two pieces. 1 MiB is not a
// multiple of 9: the first piece is 116,508 words, 1,048,572 bytes.
TEST(Process, ALongLineIsCutAfterABlankWhenItHasOne) {
  std::vector<std::string> lines;
  Command cmd{{"bash", "-c", "yes 'secret12 ' | head -n 277778 | tr -d '\\n'; echo"}};
  run_streaming(cmd, [&](std::string_view l) { lines.emplace_back(l); });
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].size(), 1048572u);
  std::string all, expected;
  for (const auto& l : lines) {
    EXPECT_EQ(l.size() % 9, 0u) << "cut inside a word";
    all += l;
  }
  for (int i = 0; i < 277778; ++i)
    expected += "secret12 ";
  EXPECT_EQ(all, expected);
}

TEST(Process, EnvCwdInputAndExitCode) {
  files::TempDir dir;
  Command cmd{{"bash", "-c", "read x; echo \"$x $FOO $(pwd)\"; exit 3"}};
  cmd.env = std::vector<std::string>{"FOO=bar", "PATH=/usr/bin:/bin"};
  cmd.cwd = dir.path();
  cmd.input = "hello\n";
  Captured c = run_capture(cmd);
  EXPECT_EQ(c.outcome.exit_code, 3);
  EXPECT_EQ(c.output, "hello bar " + dir.path().string() + "\n");
}

// Running, as opposed to gone or a zombie waiting for a parent that does not reap.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state)) return false;
  return state != "Z" && state != "X";
}

TEST(Process, TimeoutKillsTheWholeGroup) {
  files::TempDir dir;
  auto pidfile = dir.path() / "child.pid";
  Command cmd{{"bash", "-c", "sleep 60 & echo $! > " + pidfile.string() + "; sleep 60"}};
  cmd.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  Outcome o = run_streaming(cmd, [](std::string_view) {});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(o.timed_out);
  EXPECT_FALSE(o.ok());
  EXPECT_LT(took, std::chrono::seconds(5));
  pid_t child = std::stoi(files::read(pidfile));
  for (int i = 0; i < 50 && alive(child); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(alive(child)) << "background child of a timed-out command survived";
}

// The run cancels a job whose after_script must still run: the command is asked to wind down
// and ends by itself; on_stop (the hard stop) is never needed.
TEST(Process, AGracefulStopAsksFirstAndLetsTheCommandFinish) {
  files::TempDir dir;
  auto asked = dir.path() / "asked";
  Command cmd{{"bash", "-c",
               "while [ ! -e " + asked.string() + " ]; do sleep 0.05; done; echo winding down"}};
  std::atomic<bool> stop{true};
  cmd.stop = &stop;
  cmd.graceful_stop = Command::GracefulStop{[&](bool) { files::write_atomic(asked, ""); },
                                            std::chrono::seconds(30)};
  int hard_stops = 0;
  cmd.on_stop = [&] { ++hard_stops; };
  Captured c = run_capture(cmd);
  EXPECT_TRUE(c.outcome.stopped);
  EXPECT_EQ(c.outcome.exit_code, 0);
  EXPECT_EQ(c.output, "winding down\n");
  EXPECT_EQ(hard_stops, 0);
}

TEST(Process, AGracefulStopThatIsIgnoredEndsHardAfterTheGrace) {
  Command cmd{{"sleep", "60"}};
  std::atomic<bool> stop{true};
  cmd.stop = &stop;
  int asks = 0, hard_stops = 0;
  cmd.graceful_stop = Command::GracefulStop{[&](bool) { ++asks; }, std::chrono::milliseconds(300)};
  cmd.on_stop = [&] { ++hard_stops; };
  auto start = std::chrono::steady_clock::now();
  Outcome o = run_streaming(cmd, [](std::string_view) {});
  EXPECT_TRUE(o.stopped);
  EXPECT_EQ(o.term_signal, SIGTERM);
  EXPECT_EQ(asks, 1);
  EXPECT_EQ(hard_stops, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

// RUNNER_SCRIPT_TIMEOUT inside a job's timeout: when it passes, counted from the first line (the
// script's start, not the container's), the command is asked as for a stop, told why, and still
// has its grace.
TEST(Process, ASoftTimeoutAsksTheCommandToWindDown) {
  files::TempDir dir;
  auto asked = dir.path() / "asked";
  Command cmd{{"bash", "-c",
               "sleep 0.5; echo started; while [ ! -e " + asked.string() +
                   " ]; do sleep 0.05; done; echo after the ask"}};
  std::vector<std::string> lines;
  std::vector<size_t> lines_at_ask;
  auto ask = [&](bool soft) {
    EXPECT_TRUE(soft);
    lines_at_ask.push_back(lines.size());
    files::write_atomic(asked, "");
  };
  cmd.graceful_stop =
      Command::GracefulStop{ask, std::chrono::seconds(30), std::chrono::milliseconds(200)};
  cmd.timeout = std::chrono::seconds(30);
  Outcome o = run_streaming(cmd, [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_TRUE(o.soft_timed_out);
  EXPECT_FALSE(o.timed_out);
  EXPECT_FALSE(o.ok());
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(lines, (std::vector<std::string>{"started", "after the ask"}));
  // 200 ms after "started", not 200 ms after the start (which was before it).
  EXPECT_EQ(lines_at_ask, std::vector<size_t>{1});
}

TEST(Process, LeftoverBackgroundChildDoesNotHangTheCommand) {
  auto start = std::chrono::steady_clock::now();
  Command cmd{{"bash", "-c", "sleep 60 & echo started"}};
  Captured c = run_capture(cmd);
  EXPECT_EQ(c.outcome.exit_code, 0);
  EXPECT_EQ(c.output, "started\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Process, MissingProgramIsAnError) {
  EXPECT_THROW(run_capture(Command{{"no-such-program-xyz"}}), Error);
}

TEST(Process, WhichFindsPrograms) {
  EXPECT_FALSE(which("bash").empty());
  EXPECT_TRUE(which("no-such-program-xyz").empty());
}

}  // namespace
}  // namespace tollgate::process

namespace tollgate::process {
namespace {

TEST(ProcStatField, CountsFieldsAfterACommandNameWithSpacesAndParentheses) {
  std::string stat =
      "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 "
      "98765 1000 10\n";
  EXPECT_EQ(proc_stat_field(stat, 3), "S");
  EXPECT_EQ(proc_stat_field(stat, 14), "7");
  EXPECT_EQ(proc_stat_field(stat, 15), "3");
  EXPECT_EQ(proc_stat_field(stat, 22), "98765");
  EXPECT_EQ(proc_stat_field(stat, 40), "");
  EXPECT_EQ(proc_stat_field("no parenthesis", 3), "");
}

}  // namespace
}  // namespace tollgate::process
