#include "posture/terraform.h"

#include <gtest/gtest.h>

#include "posture/iam_policy.h"
#include "posture/test_support.h"
#include "support/server.h"
#include "util/files.h"

namespace tollgate::posture::terraform {
namespace {

using nlohmann::json;
using Pairs = std::set<std::pair<std::string, std::string>>;

Pairs pairs(const Collector& c, bool unverifiable) {
  Pairs out;
  for (const auto& r : c.raised())
    if (r.unverifiable == unverifiable) out.insert({r.subject.name, r.rule->id});
  return out;
}

struct Checked {
  Inputs in;
  Collector c;
};

std::unique_ptr<Checked> check_text(const std::string& text) {
  auto out = std::make_unique<Checked>();
  out->in = testing::read_text(text, "plan.json");
  for (const Node* plan : out->in.plans)
    check(*plan, out->c);
  return out;
}

// A plan with the given planned resources (and after_unknown per address).
std::string plan_of(const std::vector<json>& resources, const json& unknown = json::object()) {
  json changes = json::array();
  for (const auto& r : resources)
    changes.push_back(
        {{"address", r["address"]},
         {"mode", "managed"},
         {"type", r["type"]},
         {"name", r["name"]},
         {"change",
          {{"actions", {"create"}},
           {"after", r["values"]},
           {"after_unknown", unknown.value(r["address"].get<std::string>(), json::object())}}}});
  return json({{"format_version", "1.2"},
               {"planned_values", {{"root_module", {{"resources", json(resources)}}}}},
               {"resource_changes", changes}})
      .dump();
}

json resource(const std::string& type, const std::string& name, const json& values) {
  return {{"address", type + "." + name},
          {"mode", "managed"},
          {"type", type},
          {"name", name},
          {"values", values}};
}

TEST(TerraformTest, CatalogueHasAtLeast12AwsRules) {
  EXPECT_GE(rules().size(), 12u);
}

TEST(TerraformTest, FixturePlanFindsExactlyTheIntendedProblems) {
  std::string text =
      files::read(tollgate::testing::source_dir() / "src/posture/testdata/plan.json");
  auto run = check_text(text);
  EXPECT_EQ(pairs(run->c, false),
            (Pairs{{"aws_s3_bucket.public", "CKV_AWS_20"},
                   {"aws_s3_bucket.public", "CKV_AWS_57"},
                   {"aws_s3_bucket.public", "CKV2_AWS_6"},
                   {"aws_s3_bucket.public", "CKV_AWS_19"},
                   {"aws_s3_bucket.public", "CKV_AWS_21"},
                   {"aws_s3_bucket_acl.public", "CKV_AWS_20"},
                   {"aws_s3_bucket_public_access_block.logs", "CKV_AWS_54"},
                   {"aws_security_group.web", "CKV_AWS_24"},
                   {"aws_security_group_rule.rdp", "CKV_AWS_25"},
                   {"aws_vpc_security_group_ingress_rule.everything", "CKV_AWS_24"},
                   {"aws_vpc_security_group_ingress_rule.everything", "CKV_AWS_25"},
                   {"aws_vpc_security_group_ingress_rule.everything", "CKV_AWS_260"},
                   {"aws_vpc_security_group_ingress_rule.everything", "CKV_AWS_277"},
                   {"aws_ebs_volume.data", "CKV_AWS_3"},
                   {"aws_instance.app", "CKV_AWS_79"},
                   {"aws_db_instance.db", "CKV_AWS_16"},
                   {"aws_db_instance.db", "CKV_AWS_17"},
                   {"aws_iam_policy.admin", "CKV_AWS_62"},
                   {"aws_iam_policy.admin", "CKV_AWS_63"},
                   {"aws_iam_policy.admin", "CKV_AWS_355"},
                   {"aws_kms_key.k", "CKV_AWS_7"},
                   {"aws_cloudtrail.trail", "CKV_AWS_67"},
                   {"aws_eks_cluster.main", "CKV_AWS_39"},
                   {"data.aws_iam_policy_document.admin", "CKV_AWS_1"},
                   {"data.aws_iam_policy_document.admin", "CKV_AWS_356"}}));
  // Values computed at apply time are reported, never passed.
  EXPECT_EQ(pairs(run->c, true), (Pairs{{"aws_security_group_rule.computed", "CKV_AWS_24"},
                                        {"aws_instance.app", "CKV_AWS_8"}}));
  EXPECT_EQ(resource_count(*run->in.plans.at(0)), 23u);  // the deleted bucket is gone
}

TEST(TerraformTest, SecurityGroupPortRangesProtocolsAndAddressSpellings) {
  json sg = resource("aws_security_group", "sg", {{"ingress", json::array()}});
  auto add = [&](json from, json to, const char* proto, json cidrs, json v6 = json::array()) {
    sg["values"]["ingress"].push_back({{"from_port", from},
                                       {"to_port", to},
                                       {"protocol", proto},
                                       {"cidr_blocks", cidrs},
                                       {"ipv6_cidr_blocks", v6}});
  };
  add(20, 25, "tcp", {"0.0.0.0/0"});  // range covering 22
  auto run = check_text(plan_of({sg}));
  EXPECT_EQ(pairs(run->c, false), (Pairs{{"aws_security_group.sg", "CKV_AWS_24"}}));
  sg["values"]["ingress"] = json::array();
  add(0, 0, "tcp", {"0.0.0.0/0"});  // Checkov widens 0-0 to all ports; it is port 0 only
  run = check_text(plan_of({sg}));
  EXPECT_EQ(pairs(run->c, false), Pairs{});
  sg["values"]["ingress"] = json::array();
  add(0, 65535, "tcp", json::array(), {"0000:0000:0000:0000:0000:0000:0000:0000/0"});
  run = check_text(plan_of({sg}));
  // 22, 3389 and 80; not CKV_AWS_277, which is all protocols (-1) only
  EXPECT_EQ(pairs(run->c, false), (Pairs{{"aws_security_group.sg", "CKV_AWS_24"},
                                         {"aws_security_group.sg", "CKV_AWS_25"},
                                         {"aws_security_group.sg", "CKV_AWS_260"}}));
  sg["values"]["ingress"] = json::array();
  add(0, 0, "-1", {"10.0.0.0/8"});
  run = check_text(plan_of({sg}));
  EXPECT_EQ(pairs(run->c, false), Pairs{});
  // An egress rule is not ingress.
  json egress = resource("aws_security_group_rule", "out",
                         {{"type", "egress"},
                          {"from_port", 0},
                          {"to_port", 0},
                          {"protocol", "-1"},
                          {"cidr_blocks", {"10.0.0.0/8"}}});
  run = check_text(plan_of({egress}));
  EXPECT_EQ(pairs(run->c, false), Pairs{});
}

// The same resources inside a module, as a plan lists them.
std::string plan_in_module(const std::vector<json>& resources) {
  json moved = json::array();
  json changes = json::array();
  for (json r : resources) {
    r["address"] = "module.net." + r["address"].get<std::string>();
    changes.push_back({{"address", r["address"]},
                       {"module_address", "module.net"},
                       {"mode", r["mode"]},
                       {"type", r["type"]},
                       {"name", r["name"]},
                       {"change", {{"actions", {"create"}}, {"after", r["values"]}}}});
    moved.push_back(r);
  }
  json root = {{"resources", json::array()},
               {"child_modules", {{{"address", "module.net"}, {"resources", moved}}}}};
  return json({{"format_version", "1.2"},
               {"planned_values", {{"root_module", root}}},
               {"resource_changes", changes}})
      .dump();
}

Pairs with_module(const Pairs& p) {
  Pairs out;
  for (const auto& [address, id] : p)
    out.insert({"module.net." + address, id});
  return out;
}

TEST(TerraformTest, AllTrafficIngressIsCkvAws277AndEgressCkvAws382) {
  auto sg = [](const char* name, const char* block, json rules) {
    return resource("aws_security_group", name, {{block, rules}});
  };
  auto rule = [](const char* protocol, int from, int to, const char* cidr) {
    return json{{"protocol", protocol},
                {"from_port", from},
                {"to_port", to},
                {"cidr_blocks", {cidr}},
                {"ipv6_cidr_blocks", json::array()}};
  };
  std::vector<json> plan = {
      sg("in_all", "ingress", {rule("-1", 0, 0, "0.0.0.0/0")}),
      sg("in_tcp_range", "ingress", {rule("tcp", 1024, 65535, "0.0.0.0/0")}),
      sg("out_all", "egress", {rule("-1", 0, 0, "0.0.0.0/0")}),
      sg("out_https", "egress", {rule("tcp", 443, 443, "0.0.0.0/0")}),
      resource("aws_security_group_rule", "out_all",
               {{"type", "egress"},
                {"protocol", "-1"},
                {"from_port", 0},
                {"to_port", 0},
                {"ipv6_cidr_blocks", {"::/0"}}}),
      resource("aws_security_group_rule", "out_vpc",
               {{"type", "egress"},
                {"protocol", "-1"},
                {"from_port", 0},
                {"to_port", 0},
                {"cidr_blocks", {"10.0.0.0/8"}}}),
      resource("aws_vpc_security_group_egress_rule", "out_all",
               {{"ip_protocol", "-1"}, {"cidr_ipv4", "0.0.0.0/0"}}),
      resource(
          "aws_vpc_security_group_egress_rule", "out_dns",
          {{"ip_protocol", "udp"}, {"from_port", 53}, {"to_port", 53}, {"cidr_ipv4", "0.0.0.0/0"}}),
  };
  Pairs expected = {{"aws_security_group.in_all", "CKV_AWS_24"},
                    {"aws_security_group.in_all", "CKV_AWS_25"},
                    {"aws_security_group.in_all", "CKV_AWS_260"},
                    {"aws_security_group.in_all", "CKV_AWS_277"},
                    {"aws_security_group.in_tcp_range", "CKV_AWS_25"},
                    {"aws_security_group.out_all", "CKV_AWS_382"},
                    {"aws_security_group_rule.out_all", "CKV_AWS_382"},
                    {"aws_vpc_security_group_egress_rule.out_all", "CKV_AWS_382"}};
  EXPECT_EQ(pairs(check_text(plan_of(plan))->c, false), expected);
  EXPECT_EQ(pairs(check_text(plan_in_module(plan))->c, false), with_module(expected));
}

TEST(TerraformTest, RestrictableActionsOnEveryResourceAreCkvAws355) {
  auto doc = [](const char* action, const char* resource) {
    return json({{"Statement",
                  {{{"Effect", "Allow"}, {"Action", {action}}, {"Resource", resource}}}}})
        .dump();
  };
  std::vector<json> plan;
  Pairs expected;
  for (const char* type :
       {"aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"}) {
    plan.push_back(resource(type, "wide", {{"policy", doc("s3:GetObject", "*")}}));
    plan.push_back(resource(type, "named", {{"policy", doc("s3:*", "arn:aws:s3:::b/*")}}));
    plan.push_back(resource(type, "resourceless", {{"policy", doc("xray:PutTraceSegments", "*")}}));
    plan.push_back(resource(type, "describe", {{"policy", doc("EC2:Describe*", "*")}}));
    expected.insert({std::string(type) + ".wide", "CKV_AWS_355"});
  }
  json data = resource("aws_iam_policy_document", "wide", {{"json", doc("sqs:SendMessage", "*")}});
  data["mode"] = "data";
  data["address"] = "data.aws_iam_policy_document.wide";
  plan.push_back(data);
  expected.insert({"data.aws_iam_policy_document.wide", "CKV_AWS_356"});
  EXPECT_EQ(pairs(check_text(plan_of(plan))->c, false), expected);
  EXPECT_EQ(pairs(check_text(plan_in_module(plan))->c, false), with_module(expected));
  EXPECT_FALSE(restrictable("sts:GetCallerIdentity"));
  EXPECT_TRUE(restrictable("sts:AssumeRole"));
  EXPECT_TRUE(restrictable("*"));
}

TEST(TerraformTest, UnknownWholeIngressIsUnverifiable) {
  json sg = resource("aws_security_group", "sg", json::object());
  auto run = check_text(plan_of({sg}, {{"aws_security_group.sg", {{"ingress", true}}}}));
  EXPECT_EQ(pairs(run->c, true).size(), 4u);
}

TEST(TerraformTest, IamPolicyJsonStrings) {
  auto f =
      analyse_policy(R"({"Statement":{"Effect":"Allow","Action":["s3:*","*"],"Resource":"*"}})");
  EXPECT_EQ(f.admin_statements.size(), 1u);
  EXPECT_EQ(f.star_action_statements.size(), 1u);
  f = analyse_policy(R"({"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":["*"]}]})");
  EXPECT_EQ(f.admin_statements.size(), 1u);
  EXPECT_TRUE(f.star_action_statements.empty());
  f = analyse_policy(R"({"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]})");
  EXPECT_TRUE(f.admin_statements.empty());
  f = analyse_policy(
      R"({"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b"}]})");
  EXPECT_TRUE(f.admin_statements.empty());
  EXPECT_EQ(f.star_action_statements.size(), 1u);
  EXPECT_FALSE(analyse_policy("{not json").error.empty());
  f = analyse_policy(
      R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]})");
  EXPECT_EQ(f.public_statements.size(), 1u);
  f = analyse_policy(
      R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*",
                         "Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]})");
  EXPECT_TRUE(f.public_statements.empty());
  json bp = resource(
      "aws_s3_bucket_policy", "pub",
      {{"bucket", "b"},
       {"policy",
        R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}})"}});
  auto public_run = check_text(plan_of({bp}));
  EXPECT_EQ(pairs(public_run->c, false), (Pairs{{"aws_s3_bucket_policy.pub", "CKV_AWS_70"}}));
  json pol = resource("aws_iam_role_policy", "p", {{"policy", "{broken"}});
  auto run = check_text(plan_of({pol}));
  EXPECT_EQ(pairs(run->c, true), (Pairs{{"aws_iam_role_policy.p", "CKV_AWS_62"}}));
}

TEST(TerraformTest, EncryptionAndRotationRules) {
  auto run = check_text(
      plan_of({resource("aws_ebs_volume", "ok", {{"encrypted", true}}),
               resource("aws_ebs_volume", "missing", json::object()),
               resource("aws_rds_cluster", "aurora", {{"storage_encrypted", true}}),
               resource("aws_kms_key", "asym", {{"customer_master_key_spec", "RSA_2048"}}),
               resource("aws_launch_template", "lt",
                        {{"block_device_mappings", {{{"ebs", {{{"encrypted", "false"}}}}}}},
                         {"metadata_options", {{{"http_tokens", "required"}}}}})}));
  EXPECT_EQ(pairs(run->c, false), (Pairs{{"aws_ebs_volume.missing", "CKV_AWS_3"},
                                         {"aws_launch_template.lt", "CKV_AWS_8"}}));
}

TEST(TerraformTest, PublicAccessBlockFlagsAndCloudTrail) {
  auto run = check_text(
      plan_of({resource("aws_s3_bucket_public_access_block", "off", {{"bucket", "b"}}),
               resource("aws_cloudtrail", "t",
                        {{"enable_log_file_validation", false}, {"is_multi_region_trail", true}})},
              {{"aws_s3_bucket_public_access_block.off", {{"restrict_public_buckets", true}}}}));
  EXPECT_EQ(pairs(run->c, false), (Pairs{{"aws_s3_bucket_public_access_block.off", "CKV_AWS_53"},
                                         {"aws_s3_bucket_public_access_block.off", "CKV_AWS_54"},
                                         {"aws_s3_bucket_public_access_block.off", "CKV_AWS_55"},
                                         {"aws_cloudtrail.t", "CKV_AWS_36"}}));
  EXPECT_EQ(pairs(run->c, true), (Pairs{{"aws_s3_bucket_public_access_block.off", "CKV_AWS_56"}}));
}

}  // namespace
}  // namespace tollgate::posture::terraform
