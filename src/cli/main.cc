// tollgate: the entry point. Builds the command tree from the registered commands, parses the
// command line and maps every outcome onto the shared exit codes (0 verified, 1 failed, 2 could
// not verify).
#include <algorithm>
#include <csignal>
#include <iostream>
#include <map>
#include <vector>

#include "cli/command.h"
#include "util/error.h"
#include "util/process.h"
#include "util/strings.h"
#include "util/term.h"

#ifndef TOLLGATE_VERSION
#define TOLLGATE_VERSION "0.0.0"
#endif

namespace tollgate::cli {
namespace {

std::vector<CommandSpec>& registry() {
  static std::vector<CommandSpec> specs;
  return specs;
}

constexpr const char* kDescription =
    "tollgate: continuous verification for delivery pipelines.\n"
    "Runs a .gitlab-ci.yml pipeline on this machine and ships the gates it calls: image\n"
    "scanning, security posture, budget, load generation and SLO checks.\n\n"
    "Exit codes: 0 verified or succeeded, 1 verification failed, 2 could not verify\n"
    "(bad input, unreadable data, unreachable API, wrong usage).";

// A mistyped long option is named with a suggestion, before any other complaint (a missing
// required option is usually the same typo): "unknown option '--reprt' (did you mean --report?)".
// Returns false when it found one and said so.
bool check_long_options(const CLI::App& app, int argc, char** argv) {
  const CLI::App* selected = &app;
  while (!selected->get_subcommands().empty())
    selected = selected->get_subcommands().front();
  std::vector<std::string> known;
  for (const CLI::App* a = selected; a != nullptr; a = a->get_parent())
    for (const CLI::Option* opt : a->get_options())
      for (const auto& name : opt->get_lnames())
        known.push_back("--" + name);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 3 || arg.substr(0, 2) != "--") continue;
    std::string name(arg.substr(0, arg.find('=')));
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string hint = str::closest(name, known);
    std::string command;
    for (const CLI::App* a = selected; a != nullptr; a = a->get_parent())
      command = a->get_name() + (command.empty() ? "" : " " + command);
    std::cerr << "tollgate: unknown option '" << name << "' for '" << command << "'"
              << (hint.empty() ? "" : " (did you mean " + hint + "?)")
              << "\nRun with --help for the options.\n";
    return false;
  }
  return true;
}

}  // namespace

bool register_command(CommandSpec spec) {
  registry().push_back(std::move(spec));
  return true;
}

int main(int argc, char** argv) {
  CLI::App app{kDescription, "tollgate"};
  app.set_version_flag("--version", "tollgate " TOLLGATE_VERSION);
  // A missing command (or gate of a group) prints the help of where the user stopped, exit 2.
  app.fallthrough();
  std::string color = "auto";
  app.add_option("--color", color, "Colour output: auto, always or never (NO_COLOR is honoured)")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.footer("Run 'tollgate COMMAND --help' for a command's options.");

  std::map<std::string, CLI::App*> groups;
  std::map<CLI::App*, Runner> runners;
  for (auto& spec : registry()) {
    std::vector<std::string> words = str::split(spec.path, ' ');
    CLI::App* parent = &app;
    std::string prefix;
    for (size_t i = 0; i + 1 < words.size(); ++i) {
      prefix += (prefix.empty() ? "" : " ") + words[i];
      auto it = groups.find(prefix);
      if (it == groups.end()) {
        static const std::map<std::string, std::string> kGroupHelp = {
            {"check", "Verification gates: posture, budget, slo"},
            {"scan", "Scan images, root filesystems and SBOMs for known vulnerabilities"},
            {"db", "Manage the vulnerability database (OSV data)"},
            {"env", "Environments: the release each runs and its deployments"}};
        auto help = kGroupHelp.find(prefix);
        CLI::App* group = parent->add_subcommand(
            words[i], help != kGroupHelp.end() ? help->second : words[i] + " commands");
        it = groups.emplace(prefix, group).first;
      }
      parent = it->second;
    }
    CLI::App* sub = parent->add_subcommand(words.back(), spec.help);
    runners[sub] = spec.setup(*sub);
    // The command list shows one line per command; a longer description a command set for
    // itself goes to its own --help, above its footer.
    if (sub->get_description() != spec.help) {
      std::string long_text = sub->get_description();
      std::string footer = sub->get_footer();
      sub->description(spec.help);
      sub->footer(long_text + (footer.empty() ? "" : "\n\n" + footer));
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0 && !check_long_options(app, argc, argv)) return 2;
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  term::set_color_mode(color == "always"  ? term::ColorMode::Always
                       : color == "never" ? term::ColorMode::Never
                                          : term::ColorMode::Auto);

  // The deepest parsed subcommand is the one to run.
  CLI::App* selected = &app;
  while (true) {
    auto subs = selected->get_subcommands();
    if (subs.empty()) break;
    selected = subs.front();
  }
  auto it = runners.find(selected);
  if (it == runners.end()) {
    std::cerr << selected->help();
    return 2;
  }
  try {
    return it->second();
  } catch (const ErrorList& list) {
    std::cout.flush();
    for (const auto& e : list.all())
      std::cerr << "tollgate: error: " << e.message() << "\n";
    if (list.all().size() > 1) std::cerr << "tollgate: " << list.all().size() << " errors\n";
    return 2;
  } catch (const Error& e) {
    std::cout.flush();
    std::cerr << "tollgate: error: " << e.message() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "tollgate: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace tollgate::cli

int main(int argc, char** argv) {
  tollgate::process::install_signal_handlers();
  int code = tollgate::cli::main(argc, argv);
  tollgate::process::kill_all_groups(SIGKILL);  // nothing tollgate started outlives it
  tollgate::process::release_guardian();
  if (tollgate::process::canceled()) return 128 + tollgate::process::cancel_signal();
  return code;
}
