#include "posture/terraform.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "posture/iam_policy.h"
#include "posture/test_support.h"
#include "support/errors.h"
#include "support/server.h"
#include "util/files.h"

namespace tollgate::posture::terraform {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
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
      // json::array, not a braced list: `json{one_json}` is a copy with clang and an array with
      // g++ (nlohmann/json's documented brace ambiguity).
      sg("in_all", "ingress", json::array({rule("-1", 0, 0, "0.0.0.0/0")})),
      sg("in_tcp_range", "ingress", json::array({rule("tcp", 1024, 65535, "0.0.0.0/0")})),
      sg("out_all", "egress", json::array({rule("-1", 0, 0, "0.0.0.0/0")})),
      sg("out_https", "egress", json::array({rule("tcp", 443, 443, "0.0.0.0/0")})),
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

// Every list attribute was read as "no items" when it was anything else: a security group whose
// one rule block was an object (found when clang built this test's plan so) was a group without
// rules, and a CIDR written as a string was no source at all, so rules open to the world passed.
TEST(TerraformTest, AListAttributeThatIsNotAListIsAnErrorNamingItNotAPass) {
  auto error_of = [](const json& r) {
    return tollgate::testing::error_message([&] { check_text(plan_of({r})); });
  };
  json block = json::object({{"protocol", "-1"}, {"from_port", 0}, {"to_port", 0}});
  block["cidr_blocks"] = json::array({"0.0.0.0/0"});
  EXPECT_THAT(error_of(resource("aws_security_group", "sg", {{"ingress", block}})),
              HasSubstr("aws_security_group.sg: ingress must be a list, not a mapping"));
  block["cidr_blocks"] = "0.0.0.0/0";
  EXPECT_THAT(error_of(resource("aws_security_group", "sg", {{"ingress", json::array({block})}})),
              HasSubstr("cidr_blocks must be a list, not the string '0.0.0.0/0'"));
  json rule = block;
  rule["type"] = "ingress";
  EXPECT_THAT(error_of(resource("aws_security_group_rule", "r", rule)),
              HasSubstr("aws_security_group_rule.r: cidr_blocks must be a list, not the string"));
  EXPECT_THAT(error_of(resource("aws_instance", "vm", {{"metadata_options", "required"}})),
              HasSubstr("aws_instance.vm: metadata_options must be a list, not the string"));
  // null is how a plan writes an attribute that is not set: no items, and no error.
  EXPECT_EQ(error_of(resource("aws_security_group", "sg", {{"ingress", nullptr}})), "");
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

// Every rule in the catalogue, each with a resource that violates it and one that keeps it: the
// passing one differs in the one thing the rule is about, so a rule that fires on everything or
// on nothing fails here. A rule added to the catalogue without a case fails the last check.
TEST(TerraformTest, EveryRuleHasAFailingAndAPassingResource) {
  auto policy = [](const char* action, const json& resource, const json& extra = json::object()) {
    json statement = {{"Effect", "Allow"}, {"Action", action}, {"Resource", resource}};
    statement.update(extra);
    return json({{"Version", "2012-10-17"}, {"Statement", {statement}}}).dump();
  };
  auto data = [](const std::string& name, const std::string& doc) {
    json d = resource("aws_iam_policy_document", name, {{"json", doc}});
    d["mode"] = "data";
    d["address"] = "data.aws_iam_policy_document." + name;
    return d;
  };
  auto sg = [](const char* name, const char* direction, const char* protocol, int from, int to,
               const char* cidr) {
    return resource("aws_security_group", name,
                    {{direction,
                      {{{"protocol", protocol},
                        {"from_port", from},
                        {"to_port", to},
                        {"cidr_blocks", {cidr}},
                        {"ipv6_cidr_blocks", json::array()}}}}});
  };
  auto sg_rule = [](const char* name, const char* protocol, int from, int to, const char* cidr) {
    return resource("aws_security_group_rule", name,
                    {{"type", "ingress"},
                     {"protocol", protocol},
                     {"from_port", from},
                     {"to_port", to},
                     {"ipv6_cidr_blocks", {cidr}}});
  };
  auto vpc_rule = [](const char* name, const char* protocol, int port) {
    return resource("aws_vpc_security_group_ingress_rule", name,
                    {{"ip_protocol", protocol},
                     {"from_port", port},
                     {"to_port", port},
                     {"cidr_ipv4", "0.0.0.0/0"}});
  };
  auto access_block = [](const char* name, const char* off) {
    json values = {{"bucket", "b"}};
    for (const char* flag : {"block_public_acls", "block_public_policy", "ignore_public_acls",
                             "restrict_public_buckets"})
      values[flag] = std::string(flag) != off;
    return resource("aws_s3_bucket_public_access_block", name, values);
  };
  auto public_grant = [](const char* name, const char* permission) {
    return resource("aws_s3_bucket_acl", name,
                    {{"bucket", "b"},
                     {"access_control_policy",
                      {{{"grant",
                         {{{"permission", permission},
                           {"grantee",
                            {{{"type", "Group"},
                              {"uri", "http://acs.amazonaws.com/groups/global/AllUsers"}}}}}}}}}}});
  };
  auto bucket = [](const char* name, const json& values = json::object()) {
    json v = {{"bucket", "b"}};
    v.update(values);
    return resource("aws_s3_bucket", name, v);
  };
  const std::string arn = "arn:aws:s3:::b/*";
  struct Case {
    const char* id;
    std::vector<json> failing;  // its first resource is the one the rule reports
    std::vector<json> passing;  // no resource here may be reported, nor be unverifiable
  };
  std::vector<Case> cases = {
      {"CKV_AWS_20",
       {bucket("bad", {{"acl", "public-read"}})},
       {bucket("good", {{"acl", "private"}})}},
      {"CKV_AWS_57", {public_grant("bad", "WRITE")}, {public_grant("good", "READ")}},
      {"CKV_AWS_70",
       {resource("aws_s3_bucket_policy", "bad",
                 {{"bucket", "b"}, {"policy", policy("s3:GetObject", arn, {{"Principal", "*"}})}})},
       {resource(
           "aws_s3_bucket_policy", "good",
           {{"bucket", "b"},
            {"policy", policy("s3:GetObject", arn,
                              {{"Principal", {{"AWS", "arn:aws:iam::123456789012:root"}}}})}})}},
      {"CKV_AWS_53", {access_block("bad", "block_public_acls")}, {access_block("good", "")}},
      {"CKV_AWS_54", {access_block("bad", "block_public_policy")}, {access_block("good", "")}},
      {"CKV_AWS_55", {access_block("bad", "ignore_public_acls")}, {access_block("good", "")}},
      {"CKV_AWS_56", {access_block("bad", "restrict_public_buckets")}, {access_block("good", "")}},
      {"CKV2_AWS_6", {bucket("bad")}, {bucket("good"), access_block("good_block", "")}},
      {"CKV_AWS_19",
       {bucket("bad")},
       {bucket("good"), resource("aws_s3_bucket_server_side_encryption_configuration", "good_sse",
                                 {{"bucket", "b"},
                                  {"rule",
                                   {{{"apply_server_side_encryption_by_default",
                                      {{{"sse_algorithm", "aws:kms"}}}}}}}})}},
      {"CKV_AWS_21",
       {bucket("bad", {{"versioning", {{{"enabled", false}}}}})},
       {bucket("good"),
        resource("aws_s3_bucket_versioning", "good_versioning",
                 {{"bucket", "b"}, {"versioning_configuration", {{{"status", "Enabled"}}}}})}},
      {"CKV_AWS_24",
       {sg("bad", "ingress", "tcp", 22, 22, "0.0.0.0/0")},
       {sg("good", "ingress", "tcp", 22, 22, "10.0.0.0/8")}},
      {"CKV_AWS_25",
       {sg_rule("bad", "tcp", 3389, 3389, "::/0")},
       {sg_rule("good", "tcp", 443, 443, "::/0")}},
      {"CKV_AWS_260", {vpc_rule("bad", "tcp", 80)}, {vpc_rule("good", "tcp", 443)}},
      {"CKV_AWS_277",
       {sg("bad", "ingress", "-1", 0, 0, "0.0.0.0/0")},
       {sg("good", "ingress", "tcp", 0, 65535, "0.0.0.0/0")}},
      {"CKV_AWS_382",
       {sg("bad", "egress", "-1", 0, 0, "0.0.0.0/0")},
       {sg("good", "egress", "tcp", 443, 443, "0.0.0.0/0")}},
      {"CKV_AWS_3",
       {resource("aws_ebs_volume", "bad", {{"encrypted", false}})},
       {resource("aws_ebs_volume", "good", {{"encrypted", true}})}},
      {"CKV_AWS_8",
       {resource("aws_launch_configuration", "bad",
                 {{"root_block_device", {{{"encrypted", false}}}}})},
       {resource("aws_launch_configuration", "good",
                 {{"root_block_device", {{{"encrypted", true}}}}})}},
      {"CKV_AWS_16",
       {resource("aws_db_instance", "bad", {{"storage_encrypted", false}})},
       {resource("aws_db_instance", "good", {{"storage_encrypted", true}})}},
      {"CKV_AWS_17",
       {resource("aws_rds_cluster_instance", "bad", {{"publicly_accessible", true}})},
       {resource("aws_rds_cluster_instance", "good", {{"publicly_accessible", false}})}},
      {"CKV_AWS_62",
       {resource("aws_iam_policy", "bad", {{"policy", policy("*", "*")}})},
       {resource("aws_iam_policy", "good", {{"policy", policy("s3:GetObject", arn)}})}},
      {"CKV_AWS_63",
       {resource("aws_iam_user_policy", "bad", {{"policy", policy("*", arn)}})},
       {resource("aws_iam_user_policy", "good", {{"policy", policy("s3:*", arn)}})}},
      {"CKV_AWS_355",
       {resource("aws_iam_group_policy", "bad", {{"policy", policy("s3:GetObject", "*")}})},
       {resource("aws_iam_group_policy", "good", {{"policy", policy("s3:GetObject", arn)}})}},
      {"CKV_AWS_1", {data("bad", policy("*", "*"))}, {data("good", policy("s3:GetObject", arn))}},
      {"CKV_AWS_356",
       {data("bad", policy("sqs:SendMessage", "*"))},
       {data("good", policy("sts:GetCallerIdentity", "*"))}},
      {"CKV_AWS_79",
       {resource("aws_instance", "bad", {{"metadata_options", {{{"http_tokens", "optional"}}}}})},
       {resource("aws_instance", "good", {{"metadata_options", {{{"http_tokens", "required"}}}}})}},
      {"CKV_AWS_7",
       {resource("aws_kms_key", "bad", {{"enable_key_rotation", false}})},
       {resource("aws_kms_key", "good", {{"enable_key_rotation", true}})}},
      {"CKV_AWS_36",
       {resource("aws_cloudtrail", "bad", {{"enable_log_file_validation", false}})},
       {resource("aws_cloudtrail", "good", {{"enable_log_file_validation", true}})}},
      {"CKV_AWS_67",
       {resource("aws_cloudtrail", "bad", {{"is_multi_region_trail", false}})},
       {resource("aws_cloudtrail", "good", {{"is_multi_region_trail", true}})}},
      {"CKV_AWS_39",
       {resource("aws_eks_cluster", "bad",
                 {{"vpc_config",
                   {{{"endpoint_public_access", true}, {"public_access_cidrs", {"0.0.0.0/0"}}}}}})},
       {resource(
           "aws_eks_cluster", "good",
           {{"vpc_config",
             {{{"endpoint_public_access", true}, {"public_access_cidrs", {"203.0.113.0/24"}}}}}})}},
  };
  auto raised = [](const Collector& c, const std::string& id) {
    std::set<std::pair<std::string, bool>> out;
    for (const auto& r : c.raised())
      if (r.rule->id == id) out.insert({r.subject.name, r.unverifiable});
    return out;
  };
  std::set<std::string> covered;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    covered.insert(c.id);
    auto failing = check_text(plan_of(c.failing));
    EXPECT_EQ(raised(failing->c, c.id),
              (std::set<std::pair<std::string, bool>>{
                  {c.failing.front()["address"].get<std::string>(), false}}));
    auto passing = check_text(plan_of(c.passing));
    EXPECT_EQ(raised(passing->c, c.id), (std::set<std::pair<std::string, bool>>{}));
  }
  std::set<std::string> catalogue;
  for (const auto& r : rules())
    catalogue.insert(r.id);
  EXPECT_EQ(covered, catalogue);
}

}  // namespace
}  // namespace tollgate::posture::terraform
