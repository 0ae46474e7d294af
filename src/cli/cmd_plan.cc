// tollgate plan: validates a pipeline and shows which jobs would run, why, and the DAG.
#include <algorithm>
#include <iostream>
#include <iterator>
#include <map>

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "pipeline/dag.h"
#include "pipeline/loader.h"
#include "runner/context.h"
#include "runner/executor_choice.h"
#include "util/strings.h"
#include "util/table.h"
#include "util/term.h"
#include "util/yaml.h"

namespace tollgate::cli {
namespace {

// What a job waits for (Plan::waits_for), in words: its needs, "earlier stages" (not listed:
// every job before the first stage's would make 40,000 rows quadratic), or "nothing".
std::string waits_for(const pipeline::Plan& plan, size_t i, int first_stage) {
  const auto& pj = plan.jobs[i];
  if (!pj.has_needs) return pj.stage > first_stage ? "earlier stages" : "nothing";
  std::vector<std::string> names;
  for (size_t n : plan.waits_for(i))
    names.push_back(plan.jobs[n].job->name);
  return names.empty() ? "nothing (needs: [])" : str::join(names, ", ");
}

int show_config(const runner::Context& ctx, const runner::RunOptions& opts,
                const std::string& name) {
  const pipeline::Job* job = ctx.pipeline.find(name);
  if (!job) {
    std::vector<std::string> names;
    for (const auto& j : ctx.pipeline.jobs)
      names.push_back(j.name);
    std::string hint = str::closest(name, names);
    throw UsageError("--show-config: no job named '" + name + "'" +
                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  // The includes were just fetched into the cache: read them from there.
  pipeline::IncludeSettings settings = runner::include_settings(opts, ctx.state_dir);
  settings.offline = true;
  pipeline::IncludeFetcher cached(settings);
  yaml::Node root =
      pipeline::resolve_pipeline_file(opts.file, {opts.inputs, &ctx.plan_context, &cached});
  const yaml::Node* node = root.find(job->base_name);
  yaml::Node wrapper;
  wrapper.kind = yaml::Kind::Mapping;
  wrapper.entries.push_back({yaml::Node::make_scalar(job->name), node ? *node : yaml::Node{}});
  std::cout << "# job '" << job->name << "' after include, extends, !reference and default\n";
  if (job->name != job->base_name) {
    // The copy's own variables: those the template does not define with the same value.
    const yaml::Node* declared = node ? node->find("variables") : nullptr;
    std::vector<std::string> vars;
    for (const auto& v : job->variables) {
      const yaml::Node* same = declared ? declared->find(v.name) : nullptr;
      if (!same || !same->is_scalar() || same->scalar != v.value)
        vars.push_back(v.name + "=" + v.value);
    }
    std::cout << "# a parallel copy of '" << job->base_name << "' with " << str::join(vars, ", ")
              << "\n";
  }
  std::cout << yaml::emit(wrapper);
  return 0;
}

Runner setup(CLI::App& cmd) {
  struct Flags : PipelineFlags {
    std::string graph;
    std::string show_config;
    std::string format = "table";
  };
  auto f = std::make_shared<Flags>();
  cmd.footer(
      "Validate a pipeline and show, without running anything, which jobs would run and why\n"
      "(which rule, change or filter decided), what each waits for, and the DAG.\n\n"
      "Examples:\n"
      "  tollgate plan\n"
      "  tollgate plan --changes-since main --graph mermaid > pipeline.mmd\n"
      "  tollgate plan --var CI_COMMIT_BRANCH=main deploy\n"
      "  CI_SERVER_URL=https://gitlab.example.com tollgate plan --offline\n\n"
      "Includes from outside the project (remote, template, project, component) are fetched\n"
      "from $CI_SERVER_URL (default https://gitlab.com; a token from $GITLAB_TOKEN or\n"
      "$CI_JOB_TOKEN) and cached; one that cannot be had is left out with a warning, and the\n"
      "jobs that need it are shown as 'not here'.\n\n"
      "Exit code: 0 valid, 2 invalid (every problem is listed as file:line:col; with\n"
      "--format json also on stdout as {\"errors\": [{\"file\", \"line\", \"column\", "
      "\"message\"}]}).");
  f->add(cmd, "Plan only these jobs and what they wait for");
  cmd.add_option("--graph", f->graph, "Print the DAG as mermaid or dot instead of the table")
      ->check(CLI::IsMember({"mermaid", "dot"}));
  cmd.add_option("--format", f->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  cmd.add_option("--show-config", f->show_config,
                 "Print JOB as GitLab sees it: after include, extends, !reference, default and "
                 "parallel:matrix");
  return [f]() {
    f->resolve();
    runner::Context ctx;
    try {
      ctx = runner::make_context(f->opts, 0);
    } catch (const Error& e) {
      // JSON readers get the errors as JSON on stdout; people read them on stderr as always.
      if (f->format == "json") std::cout << errors_json(e).dump(2) << "\n";
      throw;
    }
    if (!f->show_config.empty()) return show_config(ctx, f->opts, f->show_config);
    pipeline::Plan plan = pipeline::make_plan(ctx.pipeline, ctx.plan_context);
    // A plan runs nothing: the engine is looked for on PATH but not tried.
    runner::ExecutorChoice executor =
        runner::choose_executor(runner::executor_setting(f->opts, ctx.state_dir), "", false);
    if (f->graph == "mermaid") {
      std::cout << pipeline::dag_mermaid(plan, ctx.pipeline);
      return 0;
    }
    if (f->graph == "dot") {
      std::cout << pipeline::dag_dot(plan, ctx.pipeline);
      return 0;
    }
    if (f->format == "json") {
      nlohmann::json jobs = nlohmann::json::array();
      for (size_t i = 0; i < plan.jobs.size(); ++i) {
        const auto& pj = plan.jobs[i];
        nlohmann::json needs = nlohmann::json::array();
        for (size_t n : pj.needs)
          needs.push_back(plan.jobs[n].job->name);
        jobs.push_back(
            {{"name", pj.job->name},
             {"stage", pj.job->stage},
             {"when", pipeline::to_string(pj.when)},
             {"allow_failure", pj.allow_failure.allowed},
             {"needs", pj.has_needs ? needs : nlohmann::json(nullptr)},
             {"executor", runner::executor_description(executor, ctx, plan, pj)},
             {"why", pj.decided_by},
             {"child_pipeline", pj.job->child ? nlohmann::json(pj.job->child->include_yaml)
                                              : nlohmann::json(nullptr)},
             {"unrunnable", pj.job->unrunnable.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(pj.job->unrunnable)}});
      }
      nlohmann::json excluded = nlohmann::json::array();
      for (const auto& e : plan.excluded)
        excluded.push_back({{"name", e.name}, {"stage", e.stage}, {"why", e.why}});
      nlohmann::json out = {{"file", ctx.pipeline.file},
                            {"warnings", ctx.pipeline.warnings},
                            {"jobs", jobs},
                            {"not_created", excluded},
                            {"changes",
                             {{"known", ctx.changes.known},
                              {"base", ctx.changes.base},
                              {"why", ctx.changes.why},
                              {"files", ctx.changes.files}}}};
      if (plan.workflow_excluded) out["workflow"] = plan.workflow_why;
      std::cout << out.dump(2) << "\n";
      return 0;
    }
    std::cout << ctx.pipeline.file << ": " << ctx.pipeline.jobs.size()
              << " jobs; changes: " << ctx.changes.why;
    if (ctx.changes.known) std::cout << " (" << ctx.changes.files.size() << " files changed)";
    std::cout << "\n\n";
    if (plan.workflow_excluded) {
      std::cout << "no pipeline would be created: " << plan.workflow_why << "\n";
      return 0;
    }
    bool images = false;
    for (const auto& pj : plan.jobs)
      images = images || runner::job_image(*pj.job);
    std::vector<std::string> head = {"STAGE", "JOB", "WHEN", "WAITS FOR", "WHY"};
    if (images) head.push_back("RUNS IN");
    TextTable table(head);
    // The earliest stage that has a job: a stage-ordered job after it waits for earlier stages.
    int first_stage =
        plan.jobs.empty()
            ? 0
            : std::min_element(plan.jobs.begin(), plan.jobs.end(),
                               [](const auto& a, const auto& b) { return a.stage < b.stage; })
                  ->stage;
    for (size_t i = 0; i < plan.jobs.size(); ++i) {
      const auto& pj = plan.jobs[i];
      std::string when(pipeline::to_string(pj.when));
      if (pj.when == pipeline::When::Manual && pj.run_manual) when += " (requested)";
      if (pj.allow_failure.allowed) when += ", may fail";
      std::string why = pj.decided_by;
      if (pj.job->child)
        why += std::string("; runs a child pipeline") +
               (pj.job->child->depend ? " and takes its status" : "");
      if (!pj.job->unrunnable.empty()) {
        when = term::paint(term::Color::Yellow, "not here") + " (" + when + ")";
        why += (why.empty() ? "" : "; ") + ("cannot run here: " + pj.job->unrunnable);
      }
      std::vector<std::string> row = {pj.job->stage, pj.job->name, when,
                                      waits_for(plan, i, first_stage), why};
      if (images) row.push_back(runner::executor_description(executor, ctx, plan, pj));
      table.add(row);
    }
    std::cout << table.render(60);
    if (!plan.excluded.empty()) {
      std::cout << "\nnot in this pipeline:\n";
      for (const auto& e : plan.excluded)
        std::cout << "  " << e.name << " (" << e.stage << "): " << e.why << "\n";
    }
    return 0;
  };
}

const bool registered =
    register_command({"plan", "Validate a pipeline and show what would run and why", setup});

}  // namespace
}  // namespace tollgate::cli
