// tollgate plan: validates a pipeline and shows which jobs would run, why, and the DAG.
#include <algorithm>
#include <iostream>
#include <iterator>
#include <map>

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "pipeline/loader.h"
#include "runner/context.h"
#include "runner/executor_choice.h"
#include "util/strings.h"
#include "util/table.h"
#include "util/term.h"
#include "util/yaml.h"

namespace tollgate::cli {
namespace {

// The planned jobs of each stage that has any, by stage index: what stage-ordered jobs wait for.
std::map<int, std::vector<size_t>> jobs_by_stage(const pipeline::Plan& plan) {
  std::map<int, std::vector<size_t>> out;
  for (size_t i = 0; i < plan.jobs.size(); ++i)
    out[plan.jobs[i].stage].push_back(i);
  return out;
}

std::string waits_for(const pipeline::Plan& plan, size_t i, int first_stage) {
  const auto& pj = plan.jobs[i];
  if (pj.has_needs) {
    if (pj.needs.empty()) return "nothing (needs: [])";
    std::vector<std::string> names;
    for (size_t n : pj.needs)
      names.push_back(plan.jobs[n].job->name);
    return str::join(names, ", ");
  }
  return pj.stage > first_stage ? "earlier stages" : "nothing";
}

// Edges of the DAG: explicit needs, and for stage-ordered jobs every job of the closest earlier
// stage that has jobs (the rest is implied).
std::vector<std::pair<size_t, size_t>> edges(const pipeline::Plan& plan) {
  std::vector<std::pair<size_t, size_t>> out;
  auto stages = jobs_by_stage(plan);
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    const auto& pj = plan.jobs[i];
    if (pj.has_needs) {
      for (size_t n : pj.needs)
        out.emplace_back(n, i);
      continue;
    }
    auto it = stages.lower_bound(pj.stage);
    if (it == stages.begin()) continue;
    for (size_t k : std::prev(it)->second)
      out.emplace_back(k, i);
  }
  return out;
}

std::string quote_label(const std::string& s) {
  return str::replace_all(s, "\"", "#quot;");
}

std::string mermaid(const pipeline::Plan& plan, const pipeline::Pipeline& p) {
  std::string out = "graph LR\n";
  for (size_t s = 0; s < p.stages.size(); ++s) {
    std::string body;
    for (size_t i = 0; i < plan.jobs.size(); ++i)
      if (plan.jobs[i].stage == static_cast<int>(s))
        body += "    j" + std::to_string(i) + "[\"" + quote_label(plan.jobs[i].job->name) + "\"]\n";
    if (!body.empty())
      out += "  subgraph s" + std::to_string(s) + "[\"" + quote_label(p.stages[s]) + "\"]\n" +
             body + "  end\n";
  }
  for (auto [a, b] : edges(plan))
    out += "  j" + std::to_string(a) + " --> j" + std::to_string(b) + "\n";
  return out;
}

std::string dot(const pipeline::Plan& plan, const pipeline::Pipeline& p) {
  auto esc = [](const std::string& s) {
    return str::replace_all(str::replace_all(s, "\\", "\\\\"), "\"", "\\\"");
  };
  std::string out = "digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n";
  for (size_t s = 0; s < p.stages.size(); ++s) {
    std::string body;
    for (size_t i = 0; i < plan.jobs.size(); ++i)
      if (plan.jobs[i].stage == static_cast<int>(s))
        body += "    j" + std::to_string(i) + " [label=\"" + esc(plan.jobs[i].job->name) + "\"];\n";
    if (!body.empty())
      out += "  subgraph cluster_" + std::to_string(s) + " {\n    label=\"" + esc(p.stages[s]) +
             "\";\n" + body + "  }\n";
  }
  for (auto [a, b] : edges(plan))
    out += "  j" + std::to_string(a) + " -> j" + std::to_string(b) + ";\n";
  return out + "}\n";
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
  yaml::Node root = pipeline::resolve_pipeline_file(opts.file, opts.inputs);
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
      "  tollgate plan --var CI_COMMIT_BRANCH=main deploy\n\n"
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
      std::cout << mermaid(plan, ctx.pipeline);
      return 0;
    }
    if (f->graph == "dot") {
      std::cout << dot(plan, ctx.pipeline);
      return 0;
    }
    if (f->format == "json") {
      nlohmann::json jobs = nlohmann::json::array();
      for (size_t i = 0; i < plan.jobs.size(); ++i) {
        const auto& pj = plan.jobs[i];
        nlohmann::json needs = nlohmann::json::array();
        for (size_t n : pj.needs)
          needs.push_back(plan.jobs[n].job->name);
        jobs.push_back({{"name", pj.job->name},
                        {"stage", pj.job->stage},
                        {"when", pipeline::to_string(pj.when)},
                        {"allow_failure", pj.allow_failure.allowed},
                        {"needs", pj.has_needs ? needs : nlohmann::json(nullptr)},
                        {"executor", runner::executor_description(executor, ctx, plan, pj)},
                        {"why", pj.decided_by}});
      }
      nlohmann::json excluded = nlohmann::json::array();
      for (const auto& e : plan.excluded)
        excluded.push_back({{"name", e.name}, {"stage", e.stage}, {"why", e.why}});
      nlohmann::json out = {{"file", ctx.pipeline.file},
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
      std::vector<std::string> row = {pj.job->stage, pj.job->name, when,
                                      waits_for(plan, i, first_stage), pj.decided_by};
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
