#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "slo/sli_map.h"
#include "util/timefmt.h"

namespace tollgate::slo {

struct Window {
  timefmt::Clock::time_point start;
  timefmt::Clock::time_point end;
  double seconds() const { return std::chrono::duration<double>(end - start).count(); }
};

// One query ready to run: placeholders expanded.
struct Query {
  std::string sli;
  std::string text;
  QueryKind kind = QueryKind::Instant;
  std::optional<Reduce> reduce;
  std::optional<std::chrono::milliseconds> step;
  SourceLocation where;  // of the query in the SLI map, when it came from one
};

// What a source returned for one query, before it is reduced to a value.
struct Measurement {
  std::vector<double> samples;  // every point of every series, in the order returned
  size_t series = 0;            // how many series the points came from
  std::optional<double> value;  // set by sources that define their own reduction
  std::string no_data;          // why there is nothing, when samples and value are empty
  // What the backend flagged about an answer it still gave (Prometheus `warnings` and `infos`,
  // e.g. a partial response or a counter that is not a counter): shown, never silently dropped.
  std::vector<std::string> warnings;
};

// A metrics backend. Queries that cannot be run (unreachable, rejected, malformed answer)
// throw Error naming the query: that is "could not verify", never a failed objective.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::string describe() const = 0;
  // All queries of one evaluation at once, so that a sampling source can watch the window once.
  virtual std::vector<Measurement> measure(const std::vector<Query>& queries,
                                           const Window& window) = 0;
  // Sources with a fixed vocabulary (process, cgroup, load) accept an SLI name as its own query.
  virtual bool names_are_queries() const { return false; }
  // Why the test run behind the data failed, when the source knows (a load result's status);
  // Keptn fails the evaluation of a failed test run whatever the score.
  virtual std::string failed_test_run() const { return ""; }
};

struct SourceOptions {
  // The longest one query may take: sent to Prometheus as its `timeout`, and the HTTP limit.
  std::chrono::microseconds query_timeout{30'000'000};
};

// "prometheus:URL", "wavefront:URL", "load:FILE", "process:PID", "cgroup:PATH".
std::unique_ptr<Source> make_source(std::string_view spec, const SourceOptions& options = {});
// The kinds, for help texts.
std::vector<std::string> source_kinds();

// The SLI value from a measurement: the explicit reduce, else the source's own value, else the
// single point. Several points without a reduce is an Error at the query's location.
std::optional<double> value_of(const Query& q, const Measurement& m, std::string* no_data);

}  // namespace tollgate::slo
