#include "load/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "load/feeder.h"
#include "load/scenario_request.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/strings.h"

namespace tollgate::load {

using detail::check_keys;
using detail::duration_us;
using detail::number;

int64_t LoadSpec::total_duration_us() const {
  if (model == Model::Closed || stages.empty()) return duration_us;
  int64_t total = 0;
  for (const auto& s : stages)
    total += s.duration_us;
  return total;
}

LoadSpec LoadSpec::split(int index, int count) const {
  LoadSpec part = *this;
  if (count <= 1) return part;
  auto share = [&](int64_t total) { return total / count + (index < total % count ? 1 : 0); };
  auto before = [&](int64_t total) {
    return index * (total / count) + std::min<int64_t>(index, total % count);
  };
  part.first_user += before(model == Model::Closed ? users : max_connections);
  part.users = static_cast<int>(share(users));
  part.spawn_rate = spawn_rate / count;
  for (auto& s : part.stages)
    s.rate /= count;
  if (iterations > 0) part.iterations = share(iterations);
  if (max_requests > 0) part.max_requests = share(max_requests);
  if ((iterations > 0 && part.iterations == 0) || (max_requests > 0 && part.max_requests == 0)) {
    // Nothing left for this worker (0 means "no limit", so it must not run at all).
    part.users = 0;
    part.stages.clear();
  }
  part.max_connections = std::max(1, static_cast<int>(share(max_connections)));
  return part;
}

Target parse_target(const std::string& url, const SourceLocation& where) {
  Target t;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    throw Error(where, "host '" + url + "' must be a URL like http://127.0.0.1:8080");
  t.scheme = str::lower(url.substr(0, scheme_end));
  if (t.scheme != "http" && t.scheme != "https")
    throw Error(where, "host '" + url + "': only http:// and https:// are supported");
  std::string rest = url.substr(scheme_end + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) t.base_path = rest.substr(slash);
  while (!t.base_path.empty() && t.base_path.back() == '/')
    t.base_path.pop_back();
  t.host_header = authority;
  if (t.scheme == "https") t.port = "443";
  if (!authority.empty() && authority[0] == '[') {  // [::1]:8080
    size_t close = authority.find(']');
    if (close == std::string::npos) throw Error(where, "host '" + url + "': unclosed [");
    t.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      t.port = authority.substr(close + 2);
  } else {
    size_t colon = authority.rfind(':');
    t.host = authority.substr(0, colon);
    if (colon != std::string::npos) t.port = authority.substr(colon + 1);
  }
  if (t.host.empty()) throw Error(where, "host '" + url + "' names no host");
  if (t.port.empty() || t.port.find_first_not_of("0123456789") != std::string::npos)
    throw Error(where, "host '" + url + "': bad port '" + t.port + "'");
  return t;
}

namespace {

// What one tollgate process drives: 1e9 users or a rate of 1e12 grew without end against a port
// that refused them. Past these, the work is for several processes (--share I/N).
constexpr int64_t kMaxUsers = 100'000;
constexpr double kMaxRate = 1'000'000;  // requests a second
constexpr int64_t kMaxThreads = 256;

[[noreturn]] void past_limit(const SourceLocation& where, const std::string& what,
                             const std::string& limit) {
  throw Error(where, what + " is past the limit of " + limit +
                         " for one process; split the load with "
                         "--share I/N");
}

// An integer setting of `load:` within [1, most].
int positive_int(const yaml::Node& n, const char* name, int64_t most, const char* most_text) {
  if (!n.is_int() || n.as_int() < 1)
    throw Error(n.where, std::string(name) + " must be a positive integer");
  if (n.as_int() > most) past_limit(n.where, fmt::format("{}: {}", name, n.as_int()), most_text);
  return static_cast<int>(n.as_int());
}

void check_limits(const LoadSpec& l, const std::string& file) {
  SourceLocation where{file, 0, 0};
  if (l.users > kMaxUsers) past_limit(where, fmt::format("users: {}", l.users), "100,000");
  if (l.max_connections > kMaxUsers)
    past_limit(where, fmt::format("max_connections: {}", l.max_connections), "100,000");
  if (l.threads > kMaxThreads) past_limit(where, fmt::format("threads: {}", l.threads), "256");
  for (const auto& st : l.stages)
    if (!(st.rate <= kMaxRate))
      past_limit(where, fmt::format("rate: {:g}", st.rate), "1,000,000 a second");
  if (!(l.spawn_rate <= kMaxRate))
    past_limit(where, fmt::format("spawn_rate: {:g}", l.spawn_rate), "1,000,000 a second");
}

LoadSpec parse_load(const yaml::Node& node) {
  LoadSpec l;
  if (!node.is_mapping()) throw Error(node.where, "load must be a mapping");
  check_keys(node,
             {"model", "users", "spawn_rate", "duration", "rate", "stages", "iterations",
              "max_requests", "max_connections", "threads"},
             "load");
  std::string model = "closed";
  if (const auto* m = node.find("model")) {
    model = m->as_string();
    if (model != "closed" && model != "open")
      throw Error(m->where, "model must be closed (users loop) or open (arrival rate)");
  }
  const yaml::Node* rate = node.find("rate");
  const yaml::Node* stages = node.find("stages");
  if (!node.find("model") && (rate || stages)) model = "open";
  l.model = model == "open" ? LoadSpec::Model::Open : LoadSpec::Model::Closed;
  if (const auto* u = node.find("users")) l.users = positive_int(*u, "users", kMaxUsers, "100,000");
  if (const auto* s = node.find("spawn_rate")) l.spawn_rate = number(*s, "spawn_rate");
  if (const auto* d = node.find("duration")) l.duration_us = duration_us(*d);
  if (const auto* i = node.find("iterations")) {
    if (!i->is_int() || i->as_int() < 0) throw Error(i->where, "iterations must be an integer");
    l.iterations = i->as_int();
  }
  if (const auto* m = node.find("max_requests")) {
    if (!m->is_int() || m->as_int() < 0)
      throw Error(m->where, "max_requests must be a non-negative integer");
    l.max_requests = m->as_int();
  }
  if (const auto* c = node.find("max_connections"))
    l.max_connections = positive_int(*c, "max_connections", kMaxUsers, "100,000");
  if (const auto* t = node.find("threads"))
    l.threads = positive_int(*t, "threads", kMaxThreads, "256");
  if (l.model == LoadSpec::Model::Open) {
    if (rate && stages) throw Error(stages->where, "give either rate or stages, not both");
    if (rate) l.stages.push_back({number(*rate, "rate"), l.duration_us});
    if (stages) {
      if (!stages->is_sequence() || stages->items.empty())
        throw Error(stages->where, "stages must be a list of {rate: N, duration: 30s}");
      for (const auto& s : stages->items) {
        check_keys(s, {"rate", "duration"}, "stage");
        const auto* r = s.find("rate");
        const auto* d = s.find("duration");
        if (!r || !d) throw Error(s.where, "a stage needs rate and duration");
        l.stages.push_back({number(*r, "rate"), duration_us(*d)});
      }
    }
  }
  return l;
}

void apply_overrides(Scenario& s, const Overrides& o) {
  if (o.host) s.target = parse_target(*o.host, {"--host", 0, 0});
  if (o.insecure) s.tls.verify = false;
  LoadSpec& l = s.load;
  if (o.duration_us) {
    l.duration_us = *o.duration_us;
    if (l.stages.size() == 1) l.stages[0].duration_us = *o.duration_us;
  }
  if (o.rate) {
    l.model = LoadSpec::Model::Open;
    l.stages = {{*o.rate, l.duration_us}};
  } else if (o.users) {
    l.model = LoadSpec::Model::Closed;
  }
  if (o.users) l.users = *o.users;
  if (o.spawn_rate) l.spawn_rate = *o.spawn_rate;
  if (o.iterations) l.iterations = *o.iterations;
  if (o.max_requests) l.max_requests = *o.max_requests;
  if (o.max_connections) l.max_connections = *o.max_connections;
  if (o.threads) l.threads = *o.threads;
  if (l.model == LoadSpec::Model::Open && l.stages.empty())
    throw Error({s.file, 0, 0},
                "the open model needs a rate: set load.rate, load.stages or --rate");
  for (const auto& st : l.stages)
    if (st.rate <= 0 || st.duration_us <= 0)
      throw Error({s.file, 0, 0}, "every stage needs a positive rate and duration");
  if (l.duration_us <= 0) throw Error({s.file, 0, 0}, "duration must be positive");
  check_limits(l, s.file);
  l.share_index = o.share_index;
  l.share_count = o.share_count;
}

// Every ${name} must be defined before it is used: by `variables`, a feeder column, an earlier
// request's extraction in the same journey, the environment (${env.NAME}) or a builtin.
void check_variables(Scenario& s) {
  std::set<std::string> global;
  for (const auto& [k, _] : s.variables)
    global.insert(k);
  global.insert("__vu");
  global.insert("__iteration");
  auto check = [&](const Template& t, const std::set<std::string>& known, Journey& j) {
    for (const auto& name : t.names()) {
      if (known.count(name)) continue;
      if (name.starts_with("env.")) {
        const char* value = std::getenv(name.substr(4).c_str());
        if (!value)
          throw Error(t.where(), "environment variable " + name.substr(4) + " is not set");
        s.variables[name] = value;
        continue;
      }
      size_t dot = name.find('.');
      auto feeder = std::find_if(s.feeders.begin(), s.feeders.end(), [&](const Feeder& f) {
        return dot != std::string::npos && f.name == name.substr(0, dot);
      });
      if (feeder != s.feeders.end()) {
        const auto& cols = feeder->columns;
        std::string col = name.substr(dot + 1);
        if (std::find(cols.begin(), cols.end(), col) == cols.end())
          throw Error(t.where(), "feeder '" + feeder->name + "' has no column '" + col +
                                     "' (columns: " + str::join(cols, ", ") + ")");
        size_t index = static_cast<size_t>(feeder - s.feeders.begin());
        if (std::find(j.feeders.begin(), j.feeders.end(), index) == j.feeders.end())
          j.feeders.push_back(index);
        continue;
      }
      std::vector<std::string> candidates(known.begin(), known.end());
      std::string hint = str::closest(name, candidates);
      throw Error(t.where(), "variable '" + name + "' is not defined here" +
                                 (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                                 "; define it under variables, in a data feeder, or extract it "
                                 "in an earlier request");
    }
  };
  for (auto& j : s.journeys) {
    std::set<std::string> known = global;
    for (auto& r : j.requests) {
      check(r.path, known, j);
      for (const auto& [_, v] : r.headers)
        check(v, known, j);
      if (r.has_body) check(r.body, known, j);
      for (const auto& x : r.extract)
        known.insert(x.var);
    }
  }
}

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& file,
                        const Overrides& overrides) {
  yaml::Node root = yaml::load(text, file);
  if (!root.is_mapping())
    throw Error({file, 1, 1}, "a scenario must be a mapping with host and journeys");
  check_keys(root,
             {"host", "tls", "defaults", "variables", "data", "load", "journeys", "thresholds"},
             "the scenario");
  Scenario s;
  s.file = file;
  s.sha256 = hash::sha256_hex(text);
  const auto* host = root.find("host");
  if (host) s.target = parse_target(host->as_string(), host->where);
  if (const auto* tls = root.find("tls")) {
    check_keys(*tls, {"verify", "ca"}, "tls");
    if (const auto* v = tls->find("verify")) s.tls.verify = v->as_bool();
    if (const auto* ca = tls->find("ca")) {
      std::filesystem::path p = std::filesystem::path(file).parent_path() / ca->as_string();
      if (!std::filesystem::exists(p))
        throw Error(ca->where, "tls ca file " + p.string() + " does not exist");
      s.tls.ca_file = p.string();
    }
  }
  std::vector<std::pair<std::string, Template>> default_headers;
  if (const auto* d = root.find("defaults")) {
    check_keys(*d, {"headers", "timeout"}, "defaults");
    if (const auto* h = d->find("headers")) {
      if (!h->is_mapping()) throw Error(h->where, "headers must be a mapping");
      for (const auto& e : h->entries)
        default_headers.emplace_back(e.key.scalar,
                                     Template::parse(e.value.as_string(), e.value.where));
    }
    if (const auto* t = d->find("timeout")) s.timeout_us = duration_us(*t);
  }
  if (const auto* v = root.find("variables")) {
    if (!v->is_mapping()) throw Error(v->where, "variables must be a mapping of name to value");
    for (const auto& e : v->entries)
      s.variables[e.key.scalar] = e.value.as_string("a string value");
  }
  if (const auto* data = root.find("data")) {
    if (!data->is_mapping()) throw Error(data->where, "data must map feeder names to {csv: FILE}");
    std::filesystem::path dir = std::filesystem::path(file).parent_path();
    for (const auto& e : data->entries) {
      check_keys(e.value, {"csv"}, "feeder " + e.key.scalar);
      const auto* csv = e.value.find("csv");
      if (!csv) throw Error(e.value.where, "feeder " + e.key.scalar + " needs csv: FILE");
      s.feeders.push_back(read_csv_feeder(e.key.scalar, dir / csv->as_string(), csv->where));
    }
  }
  if (const auto* l = root.find("load")) s.load = parse_load(*l);
  const auto* journeys = root.find("journeys");
  if (!journeys || !journeys->is_sequence() || journeys->items.empty())
    throw Error(journeys ? journeys->where : SourceLocation{file, 1, 1},
                "the scenario needs journeys: a list of {name, requests}");
  for (const auto& jn : journeys->items) {
    check_keys(jn, {"name", "weight", "think", "pacing", "requests"}, "journey");
    Journey j;
    j.where = jn.where;
    j.name = jn.find("name") ? jn.find("name")->as_string()
                             : "journey " + std::to_string(s.journeys.size() + 1);
    if (const auto* w = jn.find("weight")) {
      j.weight = number(*w, "weight");
      if (j.weight <= 0) throw Error(w->where, "weight must be positive");
    }
    if (const auto* t = jn.find("think")) j.think = detail::parse_think(*t);
    if (const auto* p = jn.find("pacing")) j.pacing_us = duration_us(*p);
    const auto* reqs = jn.find("requests");
    if (!reqs || !reqs->is_sequence() || reqs->items.empty())
      throw Error(jn.where, "journey '" + j.name + "' needs requests: a list");
    for (const auto& rn : reqs->items) {
      RequestSpec r = detail::parse_request(rn, default_headers, s.timeout_us);
      auto it = std::find(s.request_names.begin(), s.request_names.end(), r.name);
      r.stat_index = static_cast<size_t>(it - s.request_names.begin());
      if (it == s.request_names.end()) s.request_names.push_back(r.name);
      j.requests.push_back(std::move(r));
    }
    s.journeys.push_back(std::move(j));
  }
  if (const auto* t = root.find("thresholds")) s.thresholds = parse_thresholds(*t, s.request_names);
  check_variables(s);
  apply_overrides(s, overrides);
  if (s.target.host.empty())
    throw Error({file, 1, 1}, "no host: set host: http://HOST:PORT in the scenario or pass --host");
  return s;
}

Scenario load_scenario(const std::string& path, const Overrides& overrides) {
  return parse_scenario(files::read(path), path, overrides);
}

}  // namespace tollgate::load
