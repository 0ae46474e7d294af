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
  // Allow on Resource "*" of an action that could name its resources (Checkov's CKV_AWS_355)
  std::vector<std::string> star_resource_statements;
  std::string error;  // not JSON / not a policy
};

PolicyFindings analyse_policy(std::string_view json);

// Can the action (or action pattern, "s3:*") be limited to resources? False only for actions
// AWS's Service Authorization Reference lists with no resource type, such as
// sts:GetCallerIdentity, ec2:Describe* or xray:PutTraceSegments: for those "*" is the only
// Resource there is.
bool restrictable(std::string_view action);

}  // namespace tollgate::posture::terraform
