#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::posture::terraform {

// What an IAM policy document (JSON) allows that the rules care about.
struct PolicyFindings {
  std::vector<std::string> admin_statements;        // Allow * (or NotAction) on Resource *
  std::vector<std::string> star_action_statements;  // Allow Action "*"
  std::vector<std::string> public_statements;       // Allow to Principal "*" without Condition
  std::string error;                                // not JSON / not a policy
};

PolicyFindings analyse_policy(std::string_view json);

}  // namespace tollgate::posture::terraform
