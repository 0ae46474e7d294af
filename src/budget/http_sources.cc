// The two cost APIs tollgate asks over HTTP: CloudHealth's reporting API and OpenCost's
// allocation API.
#include <algorithm>
#include <cstdlib>

#include "budget/api_sources.h"
#include "budget/focus_source.h"
#include "budget/json_values.h"
#include "util/error.h"
#include "util/http.h"
#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::budget {
namespace {

std::string snippet(const std::string& body) {
  std::string s(str::trim(body.substr(0, 200)));
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s.empty() ? "" : ": " + s;
}

// GETs url and returns the parsed JSON body; any transport failure, non-2xx status or
// non-JSON body is an Error that names the API and the URL.
nlohmann::json get_json(const std::string& api, const std::string& url,
                        std::vector<std::string> headers, const SourceOptions& options) {
  http::Request request;
  request.url = url;
  request.headers = std::move(headers);
  request.headers.push_back("Accept: application/json");
  request.timeout = options.timeout;
  http::Response response;
  try {
    response = http::perform(request);
  } catch (const Error& e) {
    throw Error(api + ": " + e.what());
  }
  if (response.status < 200 || response.status > 299)
    throw Error(api + ": GET " + url + " answered HTTP " + std::to_string(response.status) +
                snippet(response.body));
  return json_read::parse(response.body, api + " answer to GET " + url);
}

void add_row(RowSink& sink, const CostRow& row, const std::string& api, const std::string& at) {
  try {
    sink.add(row);
  } catch (const Error& e) {
    throw Error(api + ": " + at + ": " + e.what());
  }
}

// ---- CloudHealth -------------------------------------------------------------------------

struct Dim {
  std::string name;
  nlohmann::json members;
};

// The time member names of monthly ("2026-11") and daily ("2026-11-20") reports.
std::optional<std::pair<Seconds, Seconds>> time_member(const std::string& name,
                                                       const std::string& interval) {
  if (interval == "monthly" && name.size() == 7) {
    auto t = parse_focus_time(name + "-01T00:00:00Z");
    if (t) return std::make_pair(*t, next_month_start(*t));
  }
  if (interval == "daily" && name.size() == 10) {
    auto t = parse_focus_time(name + "T00:00:00Z");
    if (t) return std::make_pair(*t, *t + 86400);
  }
  return std::nullopt;
}

bool is_total(const nlohmann::json& member) {
  return member.value("name", "") == "total" || member.value("label", "") == "Total";
}

std::string provider_of(const std::string& dimension) {
  if (dimension.rfind("AWS", 0) == 0) return "AWS";
  if (dimension.rfind("Azure", 0) == 0) return "Microsoft";
  if (dimension.rfind("GCP", 0) == 0) return "Google Cloud";
  return "";
}

class CloudHealthReader {
 public:
  CloudHealthReader(const nlohmann::json& doc, const SourceOptions& options,
                    const std::set<Dimension>& needed, RowSink& sink)
      : doc_(doc), options_(options), needed_(needed), sink_(sink) {}

  long read() {
    if (doc_.contains("status") && doc_["status"] != "ok")
      throw Error("cloudhealth: the report's status is " + doc_["status"].dump() + ", not \"ok\"");
    interval_ = doc_.value("interval", "");
    if (interval_ != "monthly" && interval_ != "daily")
      throw Error("cloudhealth: interval '" + interval_ + "': ask for interval=monthly or daily");
    auto updated = parse_focus_time(doc_.value("updated_at", ""));
    if (!updated)
      throw Error(
          "cloudhealth: updated_at is missing or not a time; without it the data's age is unknown");
    updated_at_ = *updated;
    for (const auto& d : doc_.at("dimensions")) {
      if (!d.is_object() || d.size() != 1)
        throw Error("cloudhealth: a dimension is not {name: [members]}");
      dims_.push_back({d.begin().key(), d.begin().value()});
    }
    if (dims_.empty() || dims_[0].name != "time")
      throw Error("cloudhealth: the first dimension must be time (dimensions[]=time)");
    for (size_t d = 1; d < dims_.size(); ++d)
      roles_.push_back(role_of(dims_[d].name));
    for (const auto& dim : dims_)
      if (provider_.empty()) provider_ = provider_of(dim.name);
    const auto& measures = doc_.at("measures");
    for (size_t k = 0; k < measures.size(); ++k)
      if (measures[k].value("name", "") == "cost") cost_index_ = k;
    if (cost_index_ == SIZE_MAX) throw Error("cloudhealth: the report has no 'cost' measure");
    currency_ = currency_of(measures[cost_index_].value("label", ""));
    for (Dimension d : needed_) {
      bool ok = (d == Dimension::Provider && !provider_.empty()) ||
                std::find(roles_.begin(), roles_.end(), d) != roles_.end();
      if (!ok)
        throw Error("cloudhealth: the scope or breakdown uses " + std::string(dimension_name(d)) +
                    ", which this report does not break down by");
    }
    const auto& data = doc_.at("data");
    const auto& times = dims_[0].members;
    if (!data.is_array() || data.size() != times.size())
      throw Error("cloudhealth: data has " + std::to_string(data.size()) + " rows for " +
                  std::to_string(times.size()) + " time members");
    long rows = 0;
    std::vector<std::string> labels(dims_.size());
    for (size_t i = 0; i < times.size(); ++i) {
      if (is_total(times[i])) continue;
      std::string name = times[i].value("name", "");
      auto period = time_member(name, interval_);
      if (!period)
        throw Error("cloudhealth: time member '" + name + "' is not a " + interval_ + " period");
      rows += walk(data[i], 1, *period, labels, "data[" + std::to_string(i) + "]");
    }
    return rows;
  }

 private:
  // Which column a report dimension fills: "AWS-Service-Category" the service,
  // "AWS-Account" the sub-account, "AWS-Region" the region; others only split the sum.
  static std::optional<Dimension> role_of(const std::string& name) {
    if (name.find("Service") != std::string::npos) return Dimension::Service;
    if (name.find("Account") != std::string::npos) return Dimension::SubAccount;
    if (name.find("Region") != std::string::npos) return Dimension::Region;
    return std::nullopt;
  }

  // data[i][j]...[k]: one level per dimension after time, then the measures.
  long walk(const nlohmann::json& node, size_t dim, std::pair<Seconds, Seconds> period,
            std::vector<std::string>& labels, const std::string& at) {
    if (dim == dims_.size()) return cell(node, period, labels, at);
    const auto& members = dims_[dim].members;
    if (!node.is_array() || node.size() != members.size())
      throw Error("cloudhealth: " + at + " has " + std::to_string(node.size()) + " cells for " +
                  std::to_string(members.size()) + " " + dims_[dim].name + " members");
    long rows = 0;
    for (size_t j = 0; j < members.size(); ++j) {
      if (is_total(members[j])) continue;  // summing it too would double count
      labels[dim] = members[j].value("label", members[j].value("name", ""));
      rows += walk(node[j], dim + 1, period, labels, at + "[" + std::to_string(j) + "]");
    }
    return rows;
  }

  long cell(const nlohmann::json& measures, std::pair<Seconds, Seconds> period,
            const std::vector<std::string>& labels, const std::string& at) {
    if (!measures.is_array() || measures.size() <= cost_index_)
      throw Error("cloudhealth: " + at + " is not a list of measures");
    const auto& value = measures[cost_index_];
    if (value.is_null()) return 0;  // no data, which is not the same as a zero cost
    auto cost = json_decimal(value);
    if (!cost) throw Error("cloudhealth: " + at + ": cost " + value.dump() + " is not a number");
    CostRow row;
    row.provider = provider_;
    for (size_t d = 1; d < dims_.size(); ++d) {
      if (roles_[d - 1] == Dimension::Service) row.service = labels[d];
      if (roles_[d - 1] == Dimension::SubAccount) row.sub_account = labels[d];
      if (roles_[d - 1] == Dimension::Region) row.region = labels[d];
    }
    row.category = "Usage";
    row.currency = currency_;
    row.billed = *cost;
    row.has_effective = false;
    Seconds month = interval_ == "monthly" ? period.first : month_start(period.first);
    row.billing_period_start = month;
    row.billing_period_end = next_month_start(month);
    row.charge_period_start = period.first;
    // The open period is summed only up to the report's refresh time.
    row.charge_period_end = std::min(period.second, updated_at_);
    add_row(sink_, row, "cloudhealth", at);
    return 1;
  }

  const nlohmann::json& doc_;
  const SourceOptions& options_;
  const std::set<Dimension>& needed_;
  RowSink& sink_;
  // The measure's label says the currency ("Cost ($)"); --currency is only a fallback, so a
  // dollar report is never read as euros.
  std::string currency_of(const std::string& label) const {
    static const std::pair<const char*, const char*> kSymbols[] = {
        {"($)", "USD"}, {"(\u20ac)", "EUR"}, {"(\u00a3)", "GBP"}, {"(\u00a5)", "JPY"}};
    for (const auto& [symbol, code] : kSymbols)
      if (label.find(symbol) != std::string::npos) return code;
    if (!options_.currency.empty()) return options_.currency;
    throw Error("cloudhealth: the cost measure's label '" + label +
                "' does not name a currency; give it with --currency");
  }

  std::string interval_;
  std::string currency_;
  Seconds updated_at_ = 0;
  std::vector<Dim> dims_;
  std::vector<std::optional<Dimension>> roles_;  // of dims_[1..]
  std::string provider_;
  size_t cost_index_ = SIZE_MAX;
};

// ---- OpenCost ----------------------------------------------------------------------------

std::string with_default_query(std::string url) {
  if (url.find('?') != std::string::npos) return url;
  if (url.find("/allocation") == std::string::npos) {
    if (!url.empty() && url.back() == '/') url.pop_back();
    url += "/allocation";
  }
  return url + "?window=month&aggregate=namespace&step=1d&accumulate=false";
}

Seconds allocation_time(const nlohmann::json& a, const char* field, const std::string& at) {
  const nlohmann::json* v = nullptr;
  if (a.contains("window") && a["window"].is_object() && a["window"].contains(field))
    v = &a["window"][field];
  else if (a.contains(field))
    v = &a[field];
  auto t = v && v->is_string() ? parse_focus_time(v->get<std::string>()) : std::nullopt;
  if (!t)
    throw Error("opencost: " + at + ": window." + field + " is missing or not an RFC 3339 time");
  return *t;
}

}  // namespace

long read_cloudhealth(const std::string& url, const SourceOptions& options,
                      const std::set<Dimension>& needed, RowSink& sink) {
  // CloudHealth takes the key as "Authorization: Bearer KEY" or as the api_key query
  // parameter. A key written into the URL is used as it is; otherwise it comes from the
  // environment and travels in the header, where it shows in no process list or log.
  std::string key = query_parameter(url, "api_key");
  std::vector<std::string> headers;
  if (key.empty()) {
    const char* from_env = std::getenv(options.api_key_env.c_str());
    if (!from_env || !*from_env)
      throw Error("cloudhealth: the API key is not set: export " + options.api_key_env +
                  " (or name another variable with --api-key-env, or add api_key=KEY to the "
                  "URL's query)");
    key = from_env;
    headers.push_back("Authorization: Bearer " + key);
  }
  // Every message below may quote the URL or the server's answer: none may show the key.
  auto masked = [&](const Error& e) {
    return Error(e.where(), str::replace_all(e.what(), key, "[MASKED]"));
  };
  try {
    nlohmann::json doc = get_json("cloudhealth", url, std::move(headers), options);
    long rows = 0;
    try {
      rows = CloudHealthReader(doc, options, needed, sink).read();
    } catch (const nlohmann::json::exception& e) {
      throw Error("cloudhealth: GET " + url + ": unexpected report shape: " + e.what());
    }
    if (rows == 0)
      throw Error("cloudhealth: GET " + url +
                  ": the report holds no cost data (every cell is null)");
    return rows;
  } catch (const Error& e) {
    throw masked(e);
  }
}

long read_opencost(const std::string& base_url, const SourceOptions& options,
                   const std::set<Dimension>& needed, RowSink& sink) {
  for (Dimension d : needed)
    if (d == Dimension::Region || d == Dimension::Category || d == Dimension::Provider)
      throw Error("opencost: allocations have no " + std::string(dimension_name(d)) +
                  "; scope by service (the aggregate key), sub-account (namespace), "
                  "billing-account (cluster) or tag (labels)");
  std::string url = with_default_query(base_url);
  nlohmann::json doc = get_json("opencost", url, {}, options);
  long rows = 0;
  try {
    if (doc.contains("code") && doc["code"] != 200)
      throw Error("opencost: GET " + url + ": code " + doc["code"].dump() +
                  snippet(doc.value("message", "")));
    const auto& steps = doc.at("data");
    if (!steps.is_array())
      throw Error("opencost: GET " + url + ": data is not a list of allocation sets");
    std::string currency = options.currency.empty() ? "USD" : options.currency;
    for (size_t s = 0; s < steps.size(); ++s) {
      if (steps[s].is_null()) continue;  // an empty step
      for (const auto& [name, a] : steps[s].items()) {
        std::string at = "data[" + std::to_string(s) + "]." + name;
        auto cost = json_decimal(a.value("totalCost", nlohmann::json()));
        if (!cost) throw Error("opencost: " + at + ": totalCost is missing or not a number");
        const auto& props = a.value("properties", nlohmann::json::object());
        nlohmann::json labels = nlohmann::json::object();
        if (props.contains("labels") && props["labels"].is_object())
          for (const auto& [k, v] : props["labels"].items())
            labels[k] = v.is_string() ? v.get<std::string>() : v.dump();
        std::string tags = labels.empty() ? "" : labels.dump();
        std::string cluster = props.value("cluster", ""), ns = props.value("namespace", "");
        CostRow row;
        row.provider = "OpenCost";
        row.service = name;  // the aggregate key, __idle__ and __unallocated__ included
        row.sub_account = ns;
        row.billing_account = cluster;
        row.category = "Usage";
        row.currency = currency;
        row.tags = tags;
        row.billed = *cost;
        row.effective = *cost;
        row.charge_period_start = allocation_time(a, "start", at);
        row.charge_period_end = allocation_time(a, "end", at);
        row.billing_period_start = month_start(row.charge_period_start);
        row.billing_period_end = next_month_start(row.charge_period_start);
        add_row(sink, row, "opencost", at);
        ++rows;
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("opencost: GET " + url + ": unexpected response shape: " + e.what());
  }
  if (rows == 0) throw Error("opencost: GET " + url + ": no allocations in the response");
  return rows;
}

}  // namespace tollgate::budget
