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
                   {"aws_kms_key.k", "CKV_AWS_7"},
                   {"aws_cloudtrail.trail", "CKV_AWS_67"},
                   {"aws_eks_cluster.main", "CKV_AWS_39"},
                   {"data.aws_iam_policy_document.admin", "CKV_AWS_1"}}));
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
  EXPECT_EQ(pairs(run->c, false).size(), 4u);  // 22, 3389, 80 and all ports
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
                          {"cidr_blocks", {"0.0.0.0/0"}}});
  run = check_text(plan_of({egress}));
  EXPECT_EQ(pairs(run->c, false), Pairs{});
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
  // An Action nested a million deep overflowed the stack (exit 139); now it is not valid JSON.
  EXPECT_EQ(
      analyse_policy(R"({"Statement":[{"Effect":"Allow","Action":)" + std::string(1'000'000, '['))
          .error,
      "not valid JSON");
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
