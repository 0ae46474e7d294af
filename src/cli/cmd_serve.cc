// tollgate serve [DIR]: the dashboard over a project's .tollgate/ (docs/serve.md).
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "history/runs.h"
#include "util/error.h"
#include "util/process.h"
#include "web/server.h"

namespace tollgate::cli {
namespace {

struct ServeFlags {
  web::ServeOptions options;
  bool open = false;
};

// A history from an older tollgate gains the columns the pages read, once, before any reader
// opens it read-only.
void prepare_history(const std::filesystem::path& project) {
  db::Database db(history::existing_history(project));
  history::RunStore store(db);
}

void open_browser(const std::string& url) {
  std::string opener = process::which("xdg-open");
  if (opener.empty()) {
    std::cerr << "tollgate serve: no xdg-open here; open " << url << " in a browser\n";
    return;
  }
  std::thread([opener, url] { process::run_capture(process::Command({opener, url})); }).detach();
}

int serve(ServeFlags& f) {
  if (f.options.token.empty())
    if (const char* t = std::getenv("TOLLGATE_SERVE_TOKEN")) f.options.token = t;
  prepare_history(f.options.project_dir);
  web::Server server(f.options);
  server.bind();
  std::string host =
      f.options.bind.find(':') != std::string::npos ? "[" + f.options.bind + "]" : f.options.bind;
  std::string url = "http://" + host + ":" + std::to_string(server.port()) + "/";
  std::cout << "tollgate serve: " << url << " (the runs of "
            << std::filesystem::weakly_canonical(f.options.project_dir).string()
            << "; Ctrl-C stops)" << std::endl;
  if (f.open) open_browser(url);
  process::install_signal_handlers();
  std::thread watch([&server] {
    while (!process::canceled())
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
  });
  watch.detach();
  server.serve();
  return 0;
}

Runner setup_serve(CLI::App& cmd) {
  auto f = std::make_shared<ServeFlags>();
  cmd.add_option("DIR", f->options.project_dir,
                 "The project directory: the one holding .tollgate/ (default: here)");
  cmd.add_option("--port,-p", f->options.port, "Port to listen on; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd.add_option("--bind", f->options.bind,
                 "Address to listen on; other than loopback it needs --token")
      ->capture_default_str();
  cmd.add_option("--token", f->options.token,
                 "A secret every request must carry (Authorization: Bearer TOKEN, or ?token= "
                 "once in the browser); also TOLLGATE_SERVE_TOKEN");
  cmd.add_flag("--open", f->open, "Open the dashboard in the default browser");
  cmd.add_option("--threads", f->options.threads, "Requests served at once")
      ->capture_default_str()
      ->check(CLI::Range(2, 256));
  cmd.footer(
      "\nPages: / (pipelines), /runs/ID (graph, jobs, variables, reports), /runs/ID/jobs/NAME\n"
      "(the log, live while the job runs), /security, /budget, /performance, /environments.\n"
      "JSON under /api/: runs, runs/ID, runs/ID/jobs/NAME/log, security, budget, performance,\n"
      "environments. Read-only; see docs/serve.md.\n\n"
      "Examples:\n"
      "  tollgate serve                     # this project, http://127.0.0.1:8080/\n"
      "  tollgate serve examples/acme-fitness --port 0 --open\n"
      "  tollgate serve --bind 0.0.0.0 --token \"$(openssl rand -hex 16)\"");
  return [f] { return serve(*f); };
}

const bool registered = register_command({"serve",
                                          "Serve the dashboard: pipelines, logs, security, budget, "
                                          "performance, environments",
                                          setup_serve});

}  // namespace
}  // namespace tollgate::cli
