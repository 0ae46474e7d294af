#include "posture/iam_policy.h"

#include <nlohmann/json.hpp>

#include "util/json_read.h"

namespace tollgate::posture::terraform {
namespace {

// Action and Resource may be one string or a list of strings.
std::vector<std::string> strings(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_string()) out.push_back(j.get<std::string>());
  if (j.is_array())
    for (const auto& item : j)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

bool has_star(const std::vector<std::string>& v) {
  for (const auto& s : v)
    if (s == "*" || s == "*:*") return true;
  return false;
}

// Principal "*" or {"AWS": "*"} (string or list) is everyone, signed in or not.
bool everyone(const nlohmann::json& principal) {
  if (principal.is_string()) return principal.get<std::string>() == "*";
  if (principal.is_object() && principal.contains("AWS"))
    return has_star(strings(principal["AWS"]));
  return false;
}

std::string label(const nlohmann::json& statement, size_t index) {
  if (statement.contains("Sid") && statement["Sid"].is_string() &&
      !statement["Sid"].get<std::string>().empty())
    return "statement '" + statement["Sid"].get<std::string>() + "'";
  return "statement " + std::to_string(index + 1);
}

}  // namespace

PolicyFindings analyse_policy(std::string_view json) {
  PolicyFindings out;
  nlohmann::json doc = json_read::parse_or_discarded(json);
  if (doc.is_discarded()) {
    out.error = "not valid JSON";
    return out;
  }
  if (!doc.is_object() || !doc.contains("Statement")) {
    out.error = "no Statement";
    return out;
  }
  nlohmann::json statements = doc["Statement"];
  if (statements.is_object()) statements = nlohmann::json::array({statements});
  if (!statements.is_array()) {
    out.error = "Statement is neither an object nor a list";
    return out;
  }
  for (size_t i = 0; i < statements.size(); ++i) {
    const auto& s = statements[i];
    if (!s.is_object() || s.value("Effect", "") != "Allow") continue;
    auto actions = strings(s.value("Action", nlohmann::json()));
    bool not_action = s.contains("NotAction");
    bool all_resources = has_star(strings(s.value("Resource", nlohmann::json())));
    bool star_action = has_star(actions);
    // Allow + NotAction allows everything except the listed actions: as broad as "*".
    if ((star_action || not_action) && all_resources)
      out.admin_statements.push_back(label(s, i) + " allows " +
                                     (star_action ? "Action \"*\"" : "everything but NotAction") +
                                     " on Resource \"*\"");
    if (star_action) out.star_action_statements.push_back(label(s, i) + " allows Action \"*\"");
    // A Condition (source VPC, organisation id, ...) usually narrows "*" to someone known.
    if (everyone(s.value("Principal", nlohmann::json())) && !s.contains("Condition"))
      out.public_statements.push_back(label(s, i) + " allows Principal \"*\"");
  }
  return out;
}

}  // namespace tollgate::posture::terraform
