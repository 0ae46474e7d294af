// tollgate env list | env history NAME: the environments the project's runs deployed to, from
// .tollgate/history.db.
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "history/runs.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/table.h"

namespace tollgate::cli {
namespace {

struct EnvFlags {
  std::string project = ".";
  std::string format = "table";
};

void add_flags(CLI::App& cmd, EnvFlags& f) {
  cmd.add_option("--project", f.project, "The project directory whose .tollgate/history.db to read")
      ->capture_default_str();
  cmd.add_option("--format", f.format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
}

std::vector<history::Deployment> read_deployments(const EnvFlags& f,
                                                  const std::string& environment) {
  db::Database db(history::existing_history(f.project));
  history::RunStore store(db);
  return store.deployments(environment);
}

int list(const EnvFlags& f) {
  std::map<std::string, std::vector<history::Deployment>> by_env;
  for (auto& d : read_deployments(f, ""))
    by_env[d.environment].push_back(std::move(d));
  nlohmann::json out = nlohmann::json::array();
  TextTable table({"ENVIRONMENT", "RELEASE", "URL", "SINCE", "RUN", "DEPLOYMENTS"});
  for (const auto& [name, deployments] : by_env) {
    const history::Deployment* now = history::current_release(deployments);
    out.push_back({{"environment", name},
                   {"current", now ? history::to_json(*now) : nlohmann::json(nullptr)},
                   {"deployments", deployments.size()}});
    table.add({name, now ? now->release : "(none)", now ? now->url : "",
               now ? now->finished_at : "", now ? "#" + std::to_string(now->run_id) : "",
               std::to_string(deployments.size())});
  }
  if (f.format == "json")
    std::cout << out.dump(2) << "\n";
  else if (by_env.empty())
    std::cout << "no deployments yet: jobs with an environment: record them when they run\n";
  else
    std::cout << table.render(60);
  return 0;
}

int show_history(const EnvFlags& f, const std::string& name) {
  std::vector<history::Deployment> deployments = read_deployments(f, name);
  if (deployments.empty()) {
    std::vector<std::string> names;
    for (const auto& d : read_deployments(f, ""))
      names.push_back(d.environment);
    std::string hint = str::closest(name, names);
    throw UsageError("no deployments to environment '" + name + "'" +
                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  if (f.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : deployments)
      out.push_back(history::to_json(d));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  TextTable table({"FINISHED", "ACTION", "RELEASE", "STATUS", "RUN", "JOB", "URL"});
  for (const auto& d : deployments)
    table.add({d.finished_at, d.action, d.release, d.status, "#" + std::to_string(d.run_id), d.job,
               d.url});
  std::cout << table.render(60);
  return 0;
}

Runner setup_list(CLI::App& cmd) {
  auto f = std::make_shared<EnvFlags>();
  add_flags(cmd, *f);
  cmd.footer(
      "Each environment the pipeline's jobs deployed to (environment:), with the release in\n"
      "place: the newest successful deployment, unless a stop job ran since. A job names its\n"
      "release with a RELEASE=... line in its dotenv report (otherwise it is the commit), and\n"
      "the images it is made of with RELEASE_IMAGES=name=repo@digest,... (\"images\" in JSON).");
  return [f] { return list(*f); };
}

Runner setup_history(CLI::App& cmd) {
  auto f = std::make_shared<EnvFlags>();
  auto name = std::make_shared<std::string>();
  cmd.add_option("NAME", *name, "The environment, e.g. staging")->required();
  add_flags(cmd, *f);
  cmd.footer("Every deployment, rollback and stop of one environment, newest first.");
  return [f, name] { return show_history(*f, *name); };
}

const bool registered_list =
    register_command({"env list", "The environments and the release each runs", setup_list});
const bool registered_history = register_command(
    {"env history", "The deployments of one environment, newest first", setup_history});

}  // namespace
}  // namespace tollgate::cli
