#include "pipeline/dag.h"

#include <gtest/gtest.h>

#include "pipeline/loader.h"

namespace tollgate::pipeline {
namespace {

struct Planned {
  Pipeline pipeline;
  Plan plan;
  explicit Planned(const std::string& yaml)
      : pipeline(load_pipeline_text(yaml, "ci.yml", "/x")), plan(make_plan(pipeline, {})) {}
};

// build -> test is drawn from the closest earlier stage only; a job with needs gets exactly
// its needs, and needs: [] none at all.
const char* kPipeline = R"(
stages: [build, test, "deploy \"prod\""]
compile: {stage: build, script: [x]}
lint: {stage: build, script: [x]}
unit: {stage: test, needs: [compile], script: [x]}
docs: {stage: test, needs: [], script: [x]}
ship: {stage: "deploy \"prod\"", script: [x]}
)";

TEST(Dag, StageJobsHangOffTheClosestEarlierStageAndNeedsAreExact) {
  Planned p(kPipeline);
  // Plan order: compile 0, lint 1, unit 2, docs 3, ship 4.
  EXPECT_EQ(dag_edges(p.plan), (std::vector<std::pair<size_t, size_t>>{{0, 2}, {2, 4}, {3, 4}}));
}

TEST(Dag, MermaidHasASubgraphPerStageAndQuotesLabels) {
  Planned p(kPipeline);
  EXPECT_EQ(dag_mermaid(p.plan, p.pipeline),
            "graph LR\n"
            "  subgraph s1[\"build\"]\n    j0[\"compile\"]\n    j1[\"lint\"]\n  end\n"
            "  subgraph s2[\"test\"]\n    j2[\"unit\"]\n    j3[\"docs\"]\n  end\n"
            "  subgraph s3[\"deploy #quot;prod#quot;\"]\n    j4[\"ship\"]\n  end\n"
            "  j0 --> j2\n  j2 --> j4\n  j3 --> j4\n");
}

TEST(Dag, DotHasAClusterPerStageAndEscapesLabels) {
  Planned p(kPipeline);
  std::string dot = dag_dot(p.plan, p.pipeline);
  EXPECT_EQ(dot.rfind("digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n", 0), 0u);
  EXPECT_NE(dot.find("  subgraph cluster_3 {\n    label=\"deploy \\\"prod\\\"\";\n"
                     "    j4 [label=\"ship\"];\n  }\n"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("  j0 -> j2;\n  j2 -> j4;\n  j3 -> j4;\n}\n"), std::string::npos) << dot;
}

// The one rule of what a job waits for, which plan, run and the requested-jobs closure share.
TEST(Dag, AJobWaitsForItsNeedsElseEveryJobOfTheEarlierStages) {
  Planned p(kPipeline);
  EXPECT_EQ(p.plan.waits_for(2), std::vector<size_t>{0});             // unit: its need
  EXPECT_TRUE(p.plan.waits_for(3).empty());                           // docs: needs: []
  EXPECT_EQ(p.plan.waits_for(4), (std::vector<size_t>{0, 1, 2, 3}));  // ship: all before it
  EXPECT_TRUE(p.plan.waits_for(0).empty());
}

}  // namespace
}  // namespace tollgate::pipeline
