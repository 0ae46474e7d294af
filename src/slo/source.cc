#include "slo/source.h"

#include <cmath>

#include "slo/load_source.h"
#include "slo/process_source.h"
#include "slo/prometheus.h"
#include "slo/wavefront.h"
#include "util/strings.h"

namespace tollgate::slo {

std::vector<std::string> source_kinds() {
  return {"prometheus:URL", "wavefront:URL", "load:RESULT.json",
          "process:PID",    "cgroup:PATH",   "container:NAME"};
}

std::unique_ptr<Source> make_source(std::string_view spec, const SourceOptions& options) {
  size_t colon = spec.find(':');
  std::string kind(spec.substr(0, colon == std::string_view::npos ? spec.size() : colon));
  std::string rest(colon == std::string_view::npos ? "" : spec.substr(colon + 1));
  auto need = [&](std::string_view what) {
    if (rest.empty())
      throw UsageError("--source " + std::string(spec) + ": missing " + std::string(what) +
                       " after '" + kind + ":'");
  };
  if (kind == "prometheus") {
    need("the server URL");
    return std::make_unique<PrometheusSource>(rest, options.query_timeout);
  }
  if (kind == "wavefront") {
    need("the cluster URL");
    return std::make_unique<WavefrontSource>(rest, options.query_timeout);
  }
  if (kind == "load") {
    need("the result file");
    return std::make_unique<LoadSource>(rest);
  }
  if (kind == "process") {
    need("the process id");
    return std::make_unique<ProcessSource>(ProcessSource::Target::Process, rest);
  }
  if (kind == "cgroup") {
    need("the cgroup path");
    return std::make_unique<ProcessSource>(ProcessSource::Target::Cgroup, rest);
  }
  if (kind == "container") {
    need("the container's name or id");
    return std::make_unique<ProcessSource>(ProcessSource::Target::Container, rest);
  }
  std::vector<std::string> kinds = {"prometheus", "wavefront", "load",
                                    "process",    "cgroup",    "container"};
  std::string hint = str::closest(kind, kinds);
  throw UsageError("--source '" + std::string(spec) + "': unknown source kind '" + kind + "'" +
                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)") + "; use one of " +
                   str::join(source_kinds(), ", "));
}

std::optional<double> value_of(const Query& q, const Measurement& m, std::string* no_data) {
  *no_data = m.no_data;
  if (q.reduce) {
    std::optional<double> v = reduce(m.samples, *q.reduce);
    if (!v && no_data->empty())
      *no_data = m.samples.empty() ? "query returned no data" : "query returned only NaN";
    return v;
  }
  if (m.value) {
    if (std::isnan(*m.value)) {
      *no_data = "the value is NaN";
      return std::nullopt;
    }
    return m.value;
  }
  if (m.samples.empty()) {
    if (no_data->empty()) *no_data = "query returned no data";
    return std::nullopt;
  }
  if (m.samples.size() > 1)
    throw Error(q.where, "indicator '" + q.sli + "': the query returned " +
                             std::to_string(m.samples.size()) + " values from " +
                             std::to_string(m.series) +
                             " series; aggregate in the query (e.g. avg(...)) or set reduce: " +
                             "in the SLI map (" + str::join(reduce_names(), ", ") + ")");
  if (std::isnan(m.samples.front())) {
    *no_data = "query returned NaN";
    return std::nullopt;
  }
  return m.samples.front();
}

}  // namespace tollgate::slo
