#pragma once

// Helpers for the posture unit tests: run packs over manifests written in the test.
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "posture/pss.h"
#include "posture/reader.h"

namespace tollgate::posture::testing {

// Reads YAML or JSON text as if it were the file "test.yaml".
inline Inputs read_text(const std::string& text, const std::string& file = "test.yaml") {
  Inputs in;
  add_stream(in, text, file);
  return in;
}

// The ids of the rules raised, optionally only for one subject.
inline std::set<std::string> ids(const Collector& c, const std::string& subject = "") {
  std::set<std::string> out;
  for (const auto& r : c.raised())
    if (subject.empty() || r.subject.name == subject) out.insert(r.rule->id);
  return out;
}

inline const Raised* find(const Collector& c, const std::string& id) {
  for (const auto& r : c.raised())
    if (r.rule->id == id) return &r;
  return nullptr;
}

}  // namespace tollgate::posture::testing
