// AWS Cost Explorer GetCostAndUsage output as a cost source.
#include <map>

#include "budget/api_sources.h"
#include "budget/focus_source.h"
#include "budget/json_values.h"
#include "util/error.h"
#include "util/files.h"
#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::budget {
namespace {

// RECORD_TYPE values of Cost Explorer mapped onto FOCUS ChargeCategory.
std::string_view category_of_record_type(std::string_view t) {
  if (t == "Usage" || t == "DiscountedUsage" || t == "SavingsPlanCoveredUsage") return "Usage";
  if (t == "Tax") return "Tax";
  if (t == "Credit") return "Credit";
  if (t == "RIFee" || t == "Fee" || t == "SavingsPlanRecurringFee" ||
      t == "SavingsPlanUpfrontFee" || t == "Recurring reserved fee")
    return "Purchase";
  return "Adjustment";  // Refund, SavingsPlanNegation, Enterprise Discount Program Discount, ...
}

struct Grouping {
  std::string type, key;
};

Seconds day(const nlohmann::json& period, const char* field, const std::string& where) {
  if (!period.is_object() || !period.contains(field) || !period[field].is_string())
    throw Error(where + ": TimePeriod." + field + " is missing");
  auto t = parse_focus_time(period[field].get<std::string>());
  if (!t)
    throw Error(where + ": TimePeriod." + field + " '" + period[field].get<std::string>() +
                "' is not a date");
  return *t;
}

struct Amount {
  Decimal value;
  std::string unit;
  bool present = false;
};

Amount metric(const nlohmann::json& metrics, const char* name, const std::string& where) {
  Amount a;
  if (!metrics.is_object() || !metrics.contains(name)) return a;
  const auto& m = metrics[name];
  auto value = m.is_object() && m.contains("Amount") ? json_decimal(m["Amount"]) : std::nullopt;
  if (!value) throw Error(where + ": " + name + ".Amount is missing or not a number");
  if (!m.contains("Unit") || !m["Unit"].is_string() || m["Unit"].get<std::string>().empty())
    throw Error(where + ": " + name + ".Unit (the currency) is missing");
  a.value = *value;
  a.unit = m["Unit"].get<std::string>();
  a.present = true;
  return a;
}

class PageReader {
 public:
  PageReader(const std::string& path, const std::set<Dimension>& needed, RowSink& sink)
      : path_(path), needed_(needed), sink_(sink) {}

  long read(const nlohmann::json& page, const std::string& where) {
    if (!page.is_object() || !page.contains("ResultsByTime") || !page["ResultsByTime"].is_array())
      throw Error(where + ": no ResultsByTime list; is this GetCostAndUsage output?");
    if (page.contains("NextPageToken") && page["NextPageToken"].is_string() &&
        !page["NextPageToken"].get<std::string>().empty())
      throw Error(where +
                  ": NextPageToken is set, so this is one page of several; save every page "
                  "into a JSON list and pass that file");
    std::vector<Grouping> groups;
    if (page.contains("GroupDefinitions"))
      for (const auto& g : page["GroupDefinitions"])
        groups.push_back({g.value("Type", ""), g.value("Key", "")});
    check_needed(groups, where);
    long rows = 0;
    const auto& results = page["ResultsByTime"];
    for (size_t i = 0; i < results.size(); ++i) {
      std::string at = where + ": ResultsByTime[" + std::to_string(i) + "]";
      const auto& r = results[i];
      Seconds start = day(r.value("TimePeriod", nlohmann::json()), "Start", at);
      Seconds end = day(r.value("TimePeriod", nlohmann::json()), "End", at);
      if (end <= start) throw Error(at + ": TimePeriod.End is not after Start (End is exclusive)");
      const auto& list = r.value("Groups", nlohmann::json::array());
      if (!list.empty()) {
        for (size_t g = 0; g < list.size(); ++g)
          rows += emit(list[g], groups, start, end, at + ".Groups[" + std::to_string(g) + "]");
      } else {
        // With GroupBy the Total is empty and the groups hold the money; without, Total does.
        rows += emit_metrics(r.value("Total", nlohmann::json::object()), {}, groups, start, end,
                             at + ".Total");
      }
    }
    return rows;
  }

 private:
  void check_needed(const std::vector<Grouping>& groups, const std::string& where) {
    auto has = [&](std::string_view type, std::string_view key) {
      for (const auto& g : groups)
        if (g.type == type && (key.empty() || g.key == key)) return true;
      return false;
    };
    for (Dimension d : needed_) {
      bool ok = d == Dimension::Provider || (d == Dimension::Tag && has("TAG", "")) ||
                (d == Dimension::Service && has("DIMENSION", "SERVICE")) ||
                (d == Dimension::SubAccount && has("DIMENSION", "LINKED_ACCOUNT")) ||
                (d == Dimension::Region && has("DIMENSION", "REGION")) ||
                (d == Dimension::Category && has("DIMENSION", "RECORD_TYPE"));
      if (!ok)
        throw Error(
            where + ": the scope or breakdown uses " + std::string(dimension_name(d)) +
            ", but the Cost Explorer output is not grouped by it (request --group-by "
            "Type=DIMENSION,Key=SERVICE|LINKED_ACCOUNT|REGION|RECORD_TYPE or Type=TAG,Key=...)");
    }
  }

  long emit(const nlohmann::json& group, const std::vector<Grouping>& defs, Seconds start,
            Seconds end, const std::string& at) {
    const auto& keys = group.value("Keys", nlohmann::json::array());
    if (keys.size() != defs.size())
      throw Error(at + ": " + std::to_string(keys.size()) + " keys for " +
                  std::to_string(defs.size()) + " GroupDefinitions");
    std::vector<std::string> values;
    for (const auto& k : keys)
      values.push_back(k.is_string() ? k.get<std::string>() : "");
    return emit_metrics(group.value("Metrics", nlohmann::json::object()), values, defs, start, end,
                        at);
  }

  long emit_metrics(const nlohmann::json& metrics, const std::vector<std::string>& keys,
                    const std::vector<Grouping>& defs, Seconds start, Seconds end,
                    const std::string& at) {
    Amount billed = metric(metrics, "UnblendedCost", at);
    Amount effective = metric(metrics, "AmortizedCost", at);
    if (!billed.present && !effective.present) {
      if (metrics.empty()) return 0;  // an empty Total of a period without charges
      throw Error(at +
                  ": neither UnblendedCost nor AmortizedCost is there; request "
                  "--metrics UnblendedCost AmortizedCost");
    }
    if (billed.present && effective.present && billed.unit != effective.unit)
      throw Error(at + ": UnblendedCost and AmortizedCost are in different units");
    nlohmann::json tags = nlohmann::json::object();
    std::string service, account, region, category = "Usage";
    for (size_t i = 0; i < defs.size(); ++i) {
      const std::string& v = keys[i];
      if (defs[i].type == "TAG") {
        size_t dollar = v.find('$');
        std::string tag_key = v.substr(0, dollar),
                    tag_value = dollar == std::string::npos ? "" : v.substr(dollar + 1);
        if (!tag_value.empty()) tags[tag_key] = tag_value;  // "key$" is the untagged group
      } else if (defs[i].key == "SERVICE") {
        service = v;
      } else if (defs[i].key == "LINKED_ACCOUNT") {
        account = v;
      } else if (defs[i].key == "REGION") {
        region = v;
      } else if (defs[i].key == "RECORD_TYPE") {
        category = std::string(category_of_record_type(v));
      }
    }
    std::string tags_text = tags.empty() ? "" : tags.dump();
    CostRow row;
    row.provider = "AWS";
    row.service = service;
    row.sub_account = account;
    row.region = region;
    row.category = category;
    row.tags = tags_text;
    row.currency = billed.present ? billed.unit : effective.unit;
    // Only the metrics requested are there: a budget on the other view must not read zeros.
    row.billed = billed.value;
    row.effective = effective.value;
    row.has_effective = effective.present;
    if (!billed.present)
      throw Error(at +
                  ": UnblendedCost (the billed view) is missing; request --metrics UnblendedCost");
    row.billing_period_start = month_start(start);
    row.billing_period_end = next_month_start(start);
    row.charge_period_start = start;
    row.charge_period_end = end;
    try {
      sink_.add(row);
    } catch (const Error& e) {
      throw Error(SourceLocation{path_}, at + ": " + e.what());
    }
    return 1;
  }

  const std::string& path_;
  const std::set<Dimension>& needed_;
  RowSink& sink_;
};

}  // namespace

long read_aws_ce(const std::string& path, const std::set<Dimension>& needed, RowSink& sink) {
  std::string text = files::read(path);
  if (str::trim(text).empty()) throw Error(SourceLocation{path}, "empty file");
  nlohmann::json doc = json_read::parse(text, path);
  PageReader reader(path, needed, sink);
  long rows = 0;
  try {
    if (doc.is_array()) {
      for (size_t i = 0; i < doc.size(); ++i)
        rows += reader.read(doc[i], "page " + std::to_string(i + 1));
    } else {
      rows = reader.read(doc, "GetCostAndUsage output");
    }
  } catch (const Error& e) {
    if (e.where().known()) throw;
    throw Error(SourceLocation{path}, e.what());
  } catch (const nlohmann::json::exception& e) {
    throw Error(SourceLocation{path}, std::string("unexpected JSON shape: ") + e.what());
  }
  if (rows == 0) throw Error(SourceLocation{path}, "no cost amounts in ResultsByTime");
  return rows;
}

}  // namespace tollgate::budget
