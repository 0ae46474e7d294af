#include "load/merge.h"

#include <gtest/gtest.h>

#include <random>

#include "load/result.h"
#include "util/files.h"

namespace tollgate::load {
namespace {

namespace fs = std::filesystem;

// Two shares of one run with known latencies, written as `tollgate load --format json` would.
class Merge : public ::testing::Test {
 protected:
  Merge() {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> latency(9.0, 1.2);  // around 8 ms, a long tail
    for (int share = 0; share < 2; ++share) {
      Stats s({"login", "cart"});
      for (int i = 0; i < 5000 + 1000 * share; ++i) {
        auto us = static_cast<int64_t>(latency(rng));
        size_t request = static_cast<size_t>(i % 2);
        for (RequestStats* r : {&s.requests[request], &s.overall}) {
          r->latency.record(us);
          r->waiting.record(us / 2);
          ++r->count;
          ++r->statuses[200];
        }
        all_.record(us);
      }
      s.duration_s = 10;
      parts_.push_back(write(share, 2, s));
    }
  }

  RunInfo info(int share, int count) const {
    RunInfo i;
    i.target = "http://127.0.0.1:8080";
    i.model = "closed";
    i.scenario = {{"file", "s.yaml"}, {"sha256", "abc123"}, {"load", {{"users", 10}}}};
    i.share_index = share;
    i.share_count = count;
    return i;
  }

  std::string write(int share, int count, const Stats& s, const std::string& suffix = "") {
    std::vector<Threshold> thresholds = {
        parse_threshold("http_req_duration", "p(99)<100000", {}, {"login", "cart"})};
    fs::path p = dir_.path() / ("part-" + std::to_string(share + 1) + suffix + ".json");
    files::write_atomic(p,
                        verdict::to_json(make_verdict(thresholds, s, info(share, count))).dump());
    return p.string();
  }

  // A copy of part `i` with one summary field changed.
  std::string edited(size_t i, const std::string& key, const nlohmann::json& value) {
    nlohmann::json j = nlohmann::json::parse(files::read(parts_[i]));
    j["summary"][key] = value;
    fs::path p = dir_.path() / ("edited-" + key + ".json");
    files::write_atomic(p, j.dump());
    return p.string();
  }

  std::string refusal(const std::vector<std::string>& files) {
    try {
      merge_results(files);
    } catch (const Error& e) {
      return e.message();
    }
    return "merged";
  }

  files::TempDir dir_;
  std::vector<std::string> parts_;
  Histogram all_;  // every sample of both shares in one histogram
};

TEST_F(Merge, PercentilesEqualOneHistogramOfAllSamples) {
  verdict::Verdict v = merge_results(parts_);
  EXPECT_EQ(v.status, verdict::Status::Pass) << v.reason;
  const nlohmann::json& overall = v.summary["overall"];
  EXPECT_EQ(overall["count"], 11000);
  EXPECT_EQ(v.summary["shares"], 2);
  auto ms = [](int64_t us) { return static_cast<double>(us) / 1000.0; };
  EXPECT_EQ(overall["p50_ms"], ms(all_.percentile_us(50)));
  EXPECT_EQ(overall["p90_ms"], ms(all_.percentile_us(90)));
  EXPECT_EQ(overall["p95_ms"], ms(all_.percentile_us(95)));
  EXPECT_EQ(overall["p99_ms"], ms(all_.percentile_us(99)));
  EXPECT_EQ(overall["p999_ms"], ms(all_.percentile_us(99.9)));
  EXPECT_EQ(overall["min_ms"], ms(all_.min_us()));
  EXPECT_EQ(overall["max_ms"], ms(all_.max_us()));
  EXPECT_DOUBLE_EQ(overall["mean_ms"].get<double>(), all_.mean_us() / 1000.0);
  EXPECT_EQ(v.summary["histograms"]["overall"]["latency"], all_.to_json());
  // per request too: the login requests of both shares
  EXPECT_EQ(v.summary["requests"]["login"]["count"], 5500);
}

TEST_F(Merge, RefusesAnotherScenario) {
  nlohmann::json other = {{"file", "other.yaml"}, {"sha256", "def456"}, {"load", {{"users", 10}}}};
  std::string why = refusal({parts_[0], edited(1, "scenario", other)});
  EXPECT_NE(why.find("edited-scenario.json: ran scenario other.yaml (sha256 def456) but"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("only the shares of one scenario merge"), std::string::npos) << why;
}

TEST_F(Merge, RefusesOtherLoadSettings) {
  nlohmann::json faster = {{"file", "s.yaml"}, {"sha256", "abc123"}, {"load", {{"users", 20}}}};
  std::string why = refusal({parts_[0], edited(1, "scenario", faster)});
  EXPECT_NE(why.find("edited-scenario.json: ran with load {\"users\":20}"), std::string::npos)
      << why;
}

TEST_F(Merge, RefusesOtherHistogramSettings) {
  nlohmann::json two_digits = {
      {"lowest_us", 1}, {"highest_us", 3600000000}, {"significant_digits", 2}};
  std::string why = refusal({parts_[0], edited(1, "histogram_settings", two_digits)});
  EXPECT_NE(why.find("edited-histogram_settings.json: histogram settings"), std::string::npos)
      << why;
  EXPECT_NE(why.find("cannot be added to these exactly"), std::string::npos) << why;
  why = refusal({edited(0, "histogram_settings", nullptr), parts_[1]});
  EXPECT_NE(why.find("no histogram_settings"), std::string::npos) << why;
}

TEST_F(Merge, RefusesRepeatedMissingAndMismatchedShares) {
  std::string why = refusal({parts_[0], parts_[0]});
  EXPECT_NE(why.find("part-1.json: is share 1/2, as"), std::string::npos) << why;
  why = refusal({parts_[0]});
  EXPECT_NE(why.find("share 2/2 is missing"), std::string::npos) << why;
  why = refusal({parts_[0], edited(1, "share", {{"index", 2}, {"count", 3}})});
  EXPECT_NE(why.find("edited-share.json: is share 2/3 but"), std::string::npos) << why;
  EXPECT_NE(why.find("is share 1/2"), std::string::npos) << why;
}

TEST_F(Merge, RefusesWhatIsNotALoadResult) {
  fs::path yaml = dir_.path() / "s.yaml";
  files::write_atomic(yaml, "host: http://x\n");
  EXPECT_NE(refusal({yaml.string()}).find("s.yaml: not a JSON file"), std::string::npos);
  fs::path other = dir_.path() / "other.json";
  files::write_atomic(other, R"({"gate": "posture", "summary": {}})");
  EXPECT_NE(refusal({other.string()}).find("other.json: not a tollgate load result"),
            std::string::npos);
}

TEST_F(Merge, AShareThatCouldNotVerifyMakesTheMergeAnError) {
  nlohmann::json j = nlohmann::json::parse(files::read(parts_[1]));
  j["status"] = "error";
  j["reason"] = "the target never answered";
  files::write_atomic(parts_[1], j.dump());
  verdict::Verdict v = merge_results(parts_);
  EXPECT_EQ(v.status, verdict::Status::Error);
  EXPECT_NE(v.reason.find("share 2/2"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("the target never answered"), std::string::npos) << v.reason;
}

}  // namespace
}  // namespace tollgate::load
