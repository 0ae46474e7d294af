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

// Actions that take no resource (the Service Authorization Reference lists no resource type for
// them), as patterns; IAM compares action names without regard to case.
constexpr std::string_view kResourceless[] = {
    "acm:listcertificates",
    "autoscaling:describe*",
    "cloudformation:liststacks",
    "cloudwatch:getmetricdata",
    "cloudwatch:listmetrics",
    "cloudwatch:putmetricdata",
    "dynamodb:listtables",
    "ec2:describe*",
    "ecr:getauthorizationtoken",
    "eks:listclusters",
    "elasticloadbalancing:describe*",
    "iam:getaccountpasswordpolicy",
    "iam:getaccountsummary",
    "iam:listaccountaliases",
    "iam:listpolicies",
    "iam:listroles",
    "iam:listusers",
    "kms:createkey",
    "kms:listaliases",
    "kms:listkeys",
    "lambda:listfunctions",
    "logs:describeloggroups",
    "route53:listhostedzones",
    "s3:listallmybuckets",
    "secretsmanager:getrandompassword",
    "secretsmanager:listsecrets",
    "sns:listtopics",
    "sqs:listqueues",
    "ssm:describeparameters",
    "sts:getcalleridentity",
    "tag:getresources",
    "xray:getsamplingrules",
    "xray:getsamplingtargets",
    "xray:puttelemetryrecords",
    "xray:puttracesegments",
};

// IAM's wildcard match: '*' any run of characters, '?' one.
bool glob(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*')
    return glob(pattern.substr(1), text) || (!text.empty() && glob(pattern, text.substr(1)));
  return !text.empty() && (pattern[0] == '?' || pattern[0] == text[0]) &&
         glob(pattern.substr(1), text.substr(1));
}

std::string label(const nlohmann::json& statement, size_t index) {
  if (statement.contains("Sid") && statement["Sid"].is_string() &&
      !statement["Sid"].get<std::string>().empty())
    return "statement '" + statement["Sid"].get<std::string>() + "'";
  return "statement " + std::to_string(index + 1);
}

}  // namespace

bool restrictable(std::string_view action) {
  std::string lower;
  for (char c : action)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.size() > 200) return true;  // no real action is this long; keep the match linear
  for (std::string_view pattern : kResourceless)
    if (glob(pattern, lower)) return false;
  return true;
}

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
    if (all_resources) {
      std::vector<std::string> wide;
      for (const auto& a : actions)
        if (restrictable(a)) wide.push_back(a);
      if (not_action) wide.push_back("everything but NotAction");
      if (!wide.empty())
        out.star_resource_statements.push_back(label(s, i) + " allows " + wide.front() +
                                               (wide.size() > 1 ? " and more" : "") +
                                               " on Resource \"*\"");
    }
    // A Condition (source VPC, organisation id, ...) usually narrows "*" to someone known.
    if (everyone(s.value("Principal", nlohmann::json())) && !s.contains("Condition"))
      out.public_statements.push_back(label(s, i) + " allows Principal \"*\"");
  }
  return out;
}

}  // namespace tollgate::posture::terraform
