#include "load/journey_script.h"

#include <algorithm>

#include "load/exchange.h"

namespace tollgate::load {

JourneyScript::JourneyScript(const Scenario& scenario, const LoadSpec& load, Cursors& cursors)
    : scenario_(scenario),
      share_index_(static_cast<uint64_t>(load.share_index)),
      share_count_(static_cast<uint64_t>(load.share_count)),
      cursors_(cursors),
      rng_(std::random_device{}()) {
  double total = 0;
  for (const auto& j : scenario_.journeys) {
    total += j.weight;
    cumulative_weights_.push_back(total);
    prebuilt_base_.push_back(prebuilt_.size());
    for (const auto& r : j.requests) {
      for (const Template* t : templates_of(r))
        for (const auto& name : t->names())
          if (name == "__vu" || name == "__iteration") builtins_used_ = true;
      std::string bytes;
      if (is_static(r)) build_request(scenario_.target, r, {}, scenario_.variables, bytes);
      prebuilt_.push_back(std::move(bytes));
    }
  }
  for (const auto& feeder : scenario_.feeders) {
    std::vector<std::string> keys;
    for (const auto& column : feeder.columns)
      keys.push_back(feeder.name + "." + column);
    feeder_keys_.push_back(std::move(keys));
  }
}

const Journey& JourneyScript::pick() {
  if (scenario_.journeys.size() == 1) return scenario_.journeys.front();
  std::uniform_real_distribution<double> dist(0, cumulative_weights_.back());
  auto it = std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), dist(rng_));
  size_t i = std::min(static_cast<size_t>(it - cumulative_weights_.begin()),
                      scenario_.journeys.size() - 1);
  return scenario_.journeys[i];
}

int64_t JourneyScript::think_ns(const Journey& j) {
  switch (j.think.kind) {
    case Think::Kind::None:
      return 0;
    case Think::Kind::Constant:
      return j.think.min_us * 1000;
    case Think::Kind::Uniform: {
      std::uniform_int_distribution<int64_t> dist(j.think.min_us, j.think.max_us);
      return dist(rng_) * 1000;
    }
  }
  return 0;
}

void JourneyScript::begin(const Journey& j, uint64_t user, uint64_t iteration, VarMap& vars) {
  if (builtins_used_) {  // only when a template reads them: two map writes per journey
    vars["__vu"] = std::to_string(user);
    vars["__iteration"] = std::to_string(iteration);
  }
  for (size_t f : j.feeders) {
    const Feeder& feeder = scenario_.feeders[f];
    uint64_t k = cursors_[f]->fetch_add(1, std::memory_order_relaxed);
    // With --share I/N each process takes every Nth row, so parallel runs use distinct rows.
    uint64_t row = (k * share_count_ + share_index_) % feeder.rows.size();
    for (size_t c = 0; c < feeder.columns.size(); ++c)
      vars[feeder_keys_[f][c]] = feeder.rows[row][c];
  }
}

std::string_view JourneyScript::request_bytes(const Journey& j, size_t step, const VarMap& vars,
                                              std::string& scratch) const {
  size_t journey = static_cast<size_t>(&j - scenario_.journeys.data());
  const std::string& prebuilt = prebuilt_[prebuilt_base_[journey] + step];
  if (!prebuilt.empty()) return prebuilt;
  build_request(scenario_.target, j.requests[step], vars, scenario_.variables, scratch);
  return scratch;
}

}  // namespace tollgate::load
