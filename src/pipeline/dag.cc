#include "pipeline/dag.h"

#include <iterator>
#include <map>

#include "util/strings.h"

namespace tollgate::pipeline {
namespace {

// The planned jobs of each stage that has any, by stage index.
std::map<int, std::vector<size_t>> jobs_by_stage(const Plan& plan) {
  std::map<int, std::vector<size_t>> out;
  for (size_t i = 0; i < plan.jobs.size(); ++i)
    out[plan.jobs[i].stage].push_back(i);
  return out;
}

// How one format writes the graph.
struct Syntax {
  std::string head, tail;
  std::string (*label)(const std::string&);
  std::string (*stage)(size_t index, const std::string& label, const std::string& body);
  std::string (*node)(size_t index, const std::string& label);
  std::string (*edge)(size_t from, size_t to);
};

std::string draw(const Plan& plan, const Pipeline& p, const Syntax& syntax) {
  std::string out = syntax.head;
  auto stages = jobs_by_stage(plan);
  for (const auto& [stage, jobs] : stages) {
    std::string body;
    for (size_t i : jobs)
      body += syntax.node(i, syntax.label(plan.jobs[i].job->name));
    out += syntax.stage(static_cast<size_t>(stage), syntax.label(p.stages[stage]), body);
  }
  for (auto [from, to] : dag_edges(plan))
    out += syntax.edge(from, to);
  return out + syntax.tail;
}

std::string id(size_t i) {
  return "j" + std::to_string(i);
}

const Syntax kMermaid = {
    "graph LR\n",
    "",
    [](const std::string& s) { return str::replace_all(s, "\"", "#quot;"); },
    [](size_t s, const std::string& label, const std::string& body) {
      return "  subgraph s" + std::to_string(s) + "[\"" + label + "\"]\n" + body + "  end\n";
    },
    [](size_t i, const std::string& label) { return "    " + id(i) + "[\"" + label + "\"]\n"; },
    [](size_t a, size_t b) { return "  " + id(a) + " --> " + id(b) + "\n"; }};

const Syntax kDot = {"digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n",
                     "}\n",
                     [](const std::string& s) {
                       return str::replace_all(str::replace_all(s, "\\", "\\\\"), "\"", "\\\"");
                     },
                     [](size_t s, const std::string& label, const std::string& body) {
                       return "  subgraph cluster_" + std::to_string(s) + " {\n    label=\"" +
                              label + "\";\n" + body + "  }\n";
                     },
                     [](size_t i, const std::string& label) {
                       return "    " + id(i) + " [label=\"" + label + "\"];\n";
                     },
                     [](size_t a, size_t b) { return "  " + id(a) + " -> " + id(b) + ";\n"; }};

}  // namespace

std::vector<std::pair<size_t, size_t>> dag_edges(const Plan& plan) {
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

std::string dag_mermaid(const Plan& plan, const Pipeline& pipeline) {
  return draw(plan, pipeline, kMermaid);
}

std::string dag_dot(const Plan& plan, const Pipeline& pipeline) {
  return draw(plan, pipeline, kDot);
}

}  // namespace tollgate::pipeline
