#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace tollgate::verdict {

// Ordered from least to most severe; Unknown sorts below Info, as scanners list it.
enum class Severity { Unknown, Info, Low, Medium, High, Critical };

std::string_view to_string(Severity s);
// Accepts the names in any case ("HIGH", "High", "high"); nullopt otherwise.
std::optional<Severity> parse_severity(std::string_view s);
// Parses a --fail-on value, throwing UsageError that lists the choices.
Severity parse_severity_flag(std::string_view s, std::string_view flag);

enum class Status { Pass, Fail, Error };
std::string_view to_string(Status s);

// One thing a gate found: a vulnerability, a misconfiguration, a budget overrun, a breached
// threshold.
struct Finding {
  std::string id;  // rule or advisory id: "hostNamespaces", "CVE-2023-1234"
  Severity severity = Severity::Unknown;
  std::string title;    // one line
  std::string detail;   // what exactly was seen
  std::string subject;  // what it is about: "Deployment/shop/cart", "openssl 3.0.2"
  SourceLocation location;
  std::string fix;        // how to make it go away
  bool blocking = false;  // this finding is (one of) why the gate failed
  nlohmann::json properties = nlohmann::json::object();
};

// The result of every gate. status Pass opens the gate, Fail closes it (exit 1), Error means the
// gate could not verify (exit 2) and also closes it.
struct Verdict {
  std::string gate;
  Status status = Status::Error;
  std::string reason;
  std::vector<Finding> findings;
  nlohmann::json summary = nlohmann::json::object();

  int exit_code() const;
  // A verdict for a gate that could not verify, e.g. from an Error thrown while reading input.
  static Verdict error(std::string gate, std::string reason);
  // Sorts findings most severe first, then by subject and id, so output is stable.
  void sort_findings();
};

// A finding's location as the Verdict JSON writes it: null when unknown, else file, and line
// and column when known.
nlohmann::json to_json(const SourceLocation& where);
nlohmann::json to_json(const Finding& f);
nlohmann::json to_json(const Verdict& v);
// Reads a verdict back from its JSON form (e.g. a report file a job left behind).
Verdict verdict_from_json(const nlohmann::json& j);

}  // namespace tollgate::verdict
