#include "support/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "util/process.h"
#include "util/strings.h"

extern char** environ;

namespace tollgate::testing {

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("free_port: bind failed");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::filesystem::path source_dir() {
  const char* dir = std::getenv("TOLLGATE_SOURCE_DIR");
  if (dir && *dir) return dir;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
}

std::filesystem::path tollgate_binary() {
  const char* bin = std::getenv("TOLLGATE_BIN");
  if (!bin || !*bin)
    throw std::runtime_error("TOLLGATE_BIN is not set (run the test through ctest)");
  return bin;
}

std::string tollgate_image() {
  const char* image = std::getenv("TOLLGATE_TEST_IMAGE");
  return image && *image ? image : "localhost/tollgate:latest";
}

process::Captured build_tollgate_image() {
  process::Command make({(source_dir() / "scripts/build-image.sh").string(),
                         tollgate_binary().parent_path().string()});
  make.env = process::current_environment();
  std::erase_if(*make.env, [](const std::string& v) { return v.starts_with("IMAGE="); });
  make.env->push_back("IMAGE=" + tollgate_image());
  return process::run_capture(make);
}

bool have_program(const std::string& name) {
  return !process::which(name).empty();
}

ServerProcess::ServerProcess(std::vector<std::string> argv, std::filesystem::path log_file,
                             std::vector<std::string> extra_env)
    : log_file_(std::move(log_file)) {
  std::vector<std::string> env = process::current_environment();
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> cargv, cenv;
  for (auto& a : argv)
    cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env)
    cenv.push_back(e.data());
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  std::string program = process::which(argv[0]);
  int rc = posix_spawn(&pid_, program.c_str(), &actions, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0 || program.empty()) throw std::runtime_error("cannot start " + argv[0]);
}

ServerProcess::~ServerProcess() {
  stop();
}

void ServerProcess::stop() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void ServerProcess::wait_for_port(int port, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream log(log_file_);
      std::stringstream ss;
      ss << log.rdbuf();
      throw std::runtime_error("server exited before listening on " + std::to_string(port) + ":\n" +
                               ss.str());
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (ok) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("server did not listen on port " + std::to_string(port) + " in time");
}

process::Captured tollgate_on_a_terminal(const std::vector<std::string>& args,
                                         const std::filesystem::path& cwd,
                                         std::chrono::seconds timeout) {
  std::string line = tollgate_binary().string();
  for (const auto& a : args)
    line += " " + str::shell_quote(a);
  // -e: script exits with the command's status; -f: output flushed as it comes.
  process::Command cmd({"script", "-qfec", line, "/dev/null"});
  cmd.cwd = cwd.string();
  cmd.timeout = timeout;
  return process::run_capture(cmd);
}

}  // namespace tollgate::testing
