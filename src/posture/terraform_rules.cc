// The Terraform AWS rules over the resources of a plan.
#include <algorithm>
#include <functional>
#include <optional>

#include "posture/iam_policy.h"
#include "posture/terraform.h"
#include "posture/terraform_plan.h"

namespace tollgate::posture::terraform {
namespace {

// What one rule found on one resource: violations, or fields it could not see before apply.
struct Outcome {
  std::vector<Hit> hits;
  std::vector<Hit> unknown;

  void report(Collector& out, std::string_view id, const Resource& r) {
    if (!hits.empty())
      out.raise(rule(id), r.subject(), std::move(hits));
    else if (!unknown.empty())
      out.raise(rule(id), r.subject(), std::move(unknown), true);
  }
};

std::string unknown_text(const std::string& attr) {
  return attr + " is known only after apply";
}

// A boolean attribute that must be true; absent counts as false.
void require_true(Collector& out, std::string_view id, const Resource& r, const std::string& attr) {
  Outcome o;
  if (r.is_unknown(attr))
    o.unknown.push_back({r.where_of(attr), unknown_text(attr)});
  else if (!is_true(r.value(attr)))
    o.hits.push_back({r.where_of(attr), attr + (r.value(attr) ? " is false" : " is not set")});
  o.report(out, id, r);
}

// "aws_s3_bucket.logs[0]" -> "aws_s3_bucket.logs": references name the resource, not instances.
std::string base_address(const std::string& address) {
  return address.ends_with("]") ? address.substr(0, address.rfind('[')) : address;
}

// Does other (a bucket's companion resource) point at bucket through its `bucket` argument?
bool joined(const Resource& bucket, const Resource& other) {
  std::string_view target = text(other.value("bucket"));
  if (!target.empty() &&
      (target == text(bucket.value("bucket")) || target == text(bucket.value("id"))))
    return true;
  std::string base = base_address(bucket.address);
  for (const auto& ref : other.references("bucket"))
    if (ref == base || ref == base + ".id" || ref == base + ".bucket") return true;
  return false;
}

const std::string kAllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
const std::string kAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

bool public_uri(std::string_view uri) {
  return uri == kAllUsers || uri == kAuthenticatedUsers;
}

void s3_acls(const Resource& r, Collector& out) {
  Outcome read, write;
  if (r.is_unknown("acl")) read.unknown.push_back({r.where_of("acl"), unknown_text("acl")});
  std::string_view acl = text(r.value("acl"));
  if (acl == "public-read" || acl == "public-read-write" || acl == "authenticated-read")
    read.hits.push_back({r.where_of("acl"), "acl is " + std::string(acl)});
  if (acl == "public-read-write")
    write.hits.push_back({r.where_of("acl"), "acl is " + std::string(acl)});
  auto check_grant = [&](std::string_view uri, std::string_view permission,
                         const SourceLocation& where) {
    if (!public_uri(uri)) return;
    std::string who = uri == kAllUsers ? "AllUsers" : "AuthenticatedUsers";
    if (permission == "READ" || permission == "FULL_CONTROL" || permission == "READ_ACP")
      read.hits.push_back({where, std::string(permission) + " granted to " + who});
    if (permission == "WRITE" || permission == "FULL_CONTROL" || permission == "WRITE_ACP")
      write.hits.push_back({where, std::string(permission) + " granted to " + who});
  };
  // aws_s3_bucket (provider < 4): grant { uri, permissions[] }.
  for (const auto& g : r.list("grant"))
    for (const auto& p : list_at(&g, "permissions"))
      check_grant(text(get(&g, "uri")), text(&p), g.where());
  // aws_s3_bucket_acl: access_control_policy { grant { grantee { uri }, permission } }.
  for (const auto& policy : r.list("access_control_policy"))
    for (const auto& g : list_at(&policy, "grant"))
      for (const auto& grantee : list_at(&g, "grantee"))
        check_grant(text(get(&grantee, "uri")), text(get(&g, "permission")), g.where());
  read.report(out, "CKV_AWS_20", r);
  write.report(out, "CKV_AWS_57", r);
}

void s3_buckets(const std::vector<Resource>& all, Collector& out) {
  auto companions = [&](std::string_view type) {
    std::vector<const Resource*> list;
    for (const auto& r : all)
      if (!r.data && r.type == type) list.push_back(&r);
    return list;
  };
  auto blocks = companions("aws_s3_bucket_public_access_block");
  auto encryption = companions("aws_s3_bucket_server_side_encryption_configuration");
  auto versioning = companions("aws_s3_bucket_versioning");
  bool account_block = !companions("aws_s3_account_public_access_block").empty();
  for (const auto& r : all) {
    if (r.data) continue;
    if (r.type == "aws_s3_bucket" || r.type == "aws_s3_bucket_acl") s3_acls(r, out);
    if (r.type == "aws_s3_bucket_public_access_block" ||
        r.type == "aws_s3_account_public_access_block") {
      require_true(out, "CKV_AWS_53", r, "block_public_acls");
      require_true(out, "CKV_AWS_54", r, "block_public_policy");
      require_true(out, "CKV_AWS_55", r, "ignore_public_acls");
      require_true(out, "CKV_AWS_56", r, "restrict_public_buckets");
    }
    if (r.type != "aws_s3_bucket") continue;
    auto has = [&](const std::vector<const Resource*>& list) {
      return std::any_of(list.begin(), list.end(),
                         [&](const Resource* o) { return joined(r, *o); });
    };
    if (!account_block && !has(blocks))
      out.raise(rule("CKV2_AWS_6"), r.subject(),
                {{r.where, "no aws_s3_bucket_public_access_block refers to this bucket"}});
    // A computed inline block is AWS's default, not a decision written down, so only known
    // non-empty inline configuration or a companion resource counts.
    if (r.list("server_side_encryption_configuration").empty() && !has(encryption))
      out.raise(rule("CKV_AWS_19"), r.subject(),
                {{r.where, "no server-side encryption configuration for this bucket"}});
    bool inline_versioning = false;
    for (const auto& v : r.list("versioning"))
      inline_versioning |= is_true(get(&v, "enabled"));
    bool companion_versioning =
        std::any_of(versioning.begin(), versioning.end(), [&](const Resource* v) {
          if (!joined(r, *v)) return false;
          for (const auto& c : v->list("versioning_configuration"))
            if (text(get(&c, "status")) == "Enabled") return true;
          return false;
        });
    if (!inline_versioning && !companion_versioning)
      out.raise(rule("CKV_AWS_21"), r.subject(), {{r.where, "versioning is not enabled"}});
  }
}

// One ingress or egress permission, whatever resource type wrote it.
struct Permission {
  std::string protocol;
  std::optional<long long> from, to;
  std::vector<std::string> sources;  // CIDR blocks, IPv4 and IPv6 (destinations for egress)
  bool unknown = false;
  SourceLocation where;
};

std::optional<long long> port(const Node* n) {
  if (auto v = int_value(n)) return *v;
  return std::nullopt;
}

void add_cidrs(Permission& p, std::span<const Node> list) {
  for (const auto& c : list)
    p.sources.emplace_back(text(&c));
}

// The permissions of one direction ("ingress" or "egress") a resource writes: the blocks of an
// aws_security_group, an aws_security_group_rule of that type, or the VPC rule resource.
std::vector<Permission> permissions_of(const Resource& r, const std::string& direction,
                                       bool& whole_unknown) {
  std::vector<Permission> out;
  whole_unknown = false;
  if (r.type == "aws_security_group") {
    std::span<const Node> blocks = r.list(direction);
    if (r.is_unknown(direction) && blocks.empty()) whole_unknown = true;
    for (const auto& i : blocks) {
      Permission p{std::string(text(get(&i, "protocol"))),
                   port(get(&i, "from_port")),
                   port(get(&i, "to_port")),
                   {},
                   false,
                   i.where()};
      add_cidrs(p, list_at(&i, "cidr_blocks"));
      add_cidrs(p, list_at(&i, "ipv6_cidr_blocks"));
      out.push_back(std::move(p));
    }
    // after_unknown marks individual blocks' CIDRs that are computed.
    if (!out.empty() &&
        (r.is_unknown(direction + ".cidr_blocks") || r.is_unknown(direction + ".ipv6_cidr_blocks")))
      out.front().unknown = true;
  } else if (r.type == "aws_security_group_rule") {
    if (text(r.value("type")) != direction) return out;
    Permission p{std::string(text(r.value("protocol"))),
                 port(r.value("from_port")),
                 port(r.value("to_port")),
                 {},
                 r.is_unknown("cidr_blocks") || r.is_unknown("ipv6_cidr_blocks"),
                 r.where};
    add_cidrs(p, r.list("cidr_blocks"));
    add_cidrs(p, r.list("ipv6_cidr_blocks"));
    out.push_back(std::move(p));
  } else if (r.type == "aws_vpc_security_group_" + direction + "_rule") {
    Permission p{std::string(text(r.value("ip_protocol"))),
                 port(r.value("from_port")),
                 port(r.value("to_port")),
                 {},
                 r.is_unknown("cidr_ipv4") || r.is_unknown("cidr_ipv6"),
                 r.where};
    for (const char* key : {"cidr_ipv4", "cidr_ipv6"})
      if (!text(r.value(key)).empty()) p.sources.emplace_back(text(r.value(key)));
    out.push_back(std::move(p));
  }
  return out;
}

// A prefix length of zero is the whole address space, however the address is spelled
// (0.0.0.0/0, ::/0, 0000:0000::/0).
bool open_to_internet(const Permission& p) {
  return std::any_of(p.sources.begin(), p.sources.end(),
                     [](const std::string& c) { return c.ends_with("/0"); });
}

bool all_protocols(const Permission& p) {
  return p.protocol == "-1" || p.protocol == "all";
}

bool covers(const Permission& p, long long port) {
  if (all_protocols(p)) return true;
  return p.from && p.to && *p.from <= port && port <= *p.to;
}

std::string describe(const Permission& p, const std::string& direction) {
  std::string ports = all_protocols(p) ? "all traffic"
                      : (p.from && p.to)
                          ? "ports " + std::to_string(*p.from) + "-" + std::to_string(*p.to)
                          : "ports ?";
  return direction + " open to the internet: " + ports +
         (direction == "egress" ? " to " : " from ") +
         (p.sources.empty() ? "?" : p.sources.front());
}

// One rule over one direction's permissions: which hold the traffic the rule is about.
void report_open(Collector& out, std::string_view id, const Resource& r,
                 const std::string& direction, const std::vector<Permission>& perms,
                 bool whole_unknown, const std::function<bool(const Permission&)>& matters) {
  Outcome o;
  if (whole_unknown) o.unknown.push_back({r.where, unknown_text(direction)});
  for (const auto& p : perms) {
    if (!matters(p)) continue;
    if (open_to_internet(p))
      o.hits.push_back({p.where, describe(p, direction)});
    else if (p.unknown)
      o.unknown.push_back({p.where, unknown_text("the " + direction + " CIDRs")});
  }
  o.report(out, id, r);
}

// Checkov's ids: 24, 25 and 260 are ingress to a port (a range or all protocols covering it);
// 277 is ingress and 382 egress of all protocols (-1) only, not a TCP 0-65535 range.
void security_groups(const std::vector<Resource>& all, Collector& out) {
  struct PortRule {
    const char* id;
    long long port;
  };
  static constexpr PortRule port_rules[] = {
      {"CKV_AWS_24", 22}, {"CKV_AWS_25", 3389}, {"CKV_AWS_260", 80}};
  for (const auto& r : all) {
    if (r.data) continue;
    bool in_unknown = false, out_unknown = false;
    std::vector<Permission> ingress = permissions_of(r, "ingress", in_unknown);
    std::vector<Permission> egress = permissions_of(r, "egress", out_unknown);
    if (!ingress.empty() || in_unknown) {
      for (const auto& pr : port_rules)
        report_open(out, pr.id, r, "ingress", ingress, in_unknown,
                    [&](const Permission& p) { return covers(p, pr.port); });
      report_open(out, "CKV_AWS_277", r, "ingress", ingress, in_unknown, all_protocols);
    }
    if (!egress.empty() || out_unknown)
      report_open(out, "CKV_AWS_382", r, "egress", egress, out_unknown, all_protocols);
  }
}

void block_devices(const Resource& r, Collector& out) {
  Outcome o;
  for (const char* block : {"root_block_device", "ebs_block_device"}) {
    const auto& list = r.list(block);
    for (size_t i = 0; i < list.size(); ++i) {
      const Node* enc = get(&list[i], "encrypted");
      std::string name = std::string(block) + "[" + std::to_string(i) + "].encrypted";
      if (is_true(enc)) continue;
      if (enc == nullptr && r.is_unknown(std::string(block) + ".encrypted"))
        o.unknown.push_back({list[i].where(), unknown_text(name)});
      else
        o.hits.push_back({enc ? where_of(&list[i], "encrypted") : list[i].where(),
                          name + (enc ? " is false" : " is not set")});
    }
    if (list.empty() && r.is_unknown(block)) o.unknown.push_back({r.where, unknown_text(block)});
  }
  // Launch templates spell it block_device_mappings[].ebs[].encrypted, as a string.
  for (const auto& m : r.list("block_device_mappings"))
    for (const auto& ebs : list_at(&m, "ebs")) {
      std::string_view enc = text(get(&ebs, "encrypted"));
      if (enc != "true")
        o.hits.push_back(
            {ebs.where(), "block_device_mappings ebs.encrypted is " +
                              (enc.empty() ? std::string("not set") : std::string(enc))});
    }
  o.report(out, "CKV_AWS_8", r);
}

void metadata_service(const Resource& r, Collector& out) {
  Outcome o;
  const auto& opts = r.list("metadata_options");
  if (opts.empty()) {
    if (r.is_unknown("metadata_options"))
      o.unknown.push_back({r.where, unknown_text("metadata_options")});
    else
      o.hits.push_back({r.where, "metadata_options is not set (IMDSv1 allowed)"});
  }
  for (const auto& m : opts) {
    std::string_view tokens = text(get(&m, "http_tokens"));
    if (tokens == "required" || text(get(&m, "http_endpoint")) == "disabled") continue;
    if (tokens.empty() && r.is_unknown("metadata_options.http_tokens"))
      o.unknown.push_back({m.where(), unknown_text("metadata_options.http_tokens")});
    else
      o.hits.push_back(
          {get(&m, "http_tokens") ? where_of(&m, "http_tokens") : m.where(),
           "http_tokens is " + (tokens.empty() ? std::string("not set") : std::string(tokens))});
  }
  o.report(out, "CKV_AWS_79", r);
}

void iam(const Resource& r, Collector& out) {
  static const std::vector<std::string> policy_types = {
      "aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"};
  std::string attr;
  if (r.type == "aws_ssoadmin_permission_set_inline_policy")
    attr = "inline_policy";
  else if (std::count(policy_types.begin(), policy_types.end(), r.type))
    attr = "policy";
  else if (r.data && r.type == "aws_iam_policy_document")
    attr = "json";
  if (attr.empty()) return;
  const char* admin_id = r.data ? "CKV_AWS_1" : "CKV_AWS_62";
  // Checkov files the same check under 355 for policy resources and 356 for the data source.
  const char* resource_id = r.data ? "CKV_AWS_356" : "CKV_AWS_355";
  Outcome admin, star, star_resource;
  const Node* doc = r.value(attr);
  if (doc == nullptr || text(doc).empty()) {
    if (r.is_unknown(attr)) admin.unknown.push_back({r.where, unknown_text(attr)});
    admin.report(out, admin_id, r);
    return;
  }
  SourceLocation where = r.where_of(attr);
  PolicyFindings f = analyse_policy(text(doc));
  if (!f.error.empty())
    admin.unknown.push_back({where, attr + " is not a valid IAM policy: " + f.error});
  for (const auto& s : f.admin_statements)
    admin.hits.push_back({where, s});
  for (const auto& s : f.star_action_statements)
    star.hits.push_back({where, s});
  for (const auto& s : f.star_resource_statements)
    star_resource.hits.push_back({where, s});
  admin.report(out, admin_id, r);
  if (!r.data) star.report(out, "CKV_AWS_63", r);
  star_resource.report(out, resource_id, r);
}

void bucket_policy(const Resource& r, Collector& out) {
  if (r.type != "aws_s3_bucket_policy" && r.type != "aws_s3_bucket") return;
  Outcome o;
  std::string_view doc = text(r.value("policy"));
  if (doc.empty()) {
    if (r.is_unknown("policy") && r.type == "aws_s3_bucket_policy")
      o.unknown.push_back({r.where, unknown_text("policy")});
  } else {
    PolicyFindings f = analyse_policy(doc);
    if (!f.error.empty())
      o.unknown.push_back({r.where_of("policy"), "policy is not a valid IAM policy: " + f.error});
    for (const auto& s : f.public_statements)
      o.hits.push_back({r.where_of("policy"), s});
  }
  o.report(out, "CKV_AWS_70", r);
}

void eks(const Resource& r, Collector& out) {
  Outcome o;
  const auto& configs = r.list("vpc_config");
  for (const auto& c : configs) {
    const Node* pub = get(&c, "endpoint_public_access");
    // The API defaults endpoint_public_access to true.
    if (is_false(pub)) continue;
    if (pub == nullptr && r.is_unknown("vpc_config.endpoint_public_access")) {
      o.unknown.push_back({c.where(), unknown_text("vpc_config.endpoint_public_access")});
      continue;
    }
    const auto& cidrs = list_at(&c, "public_access_cidrs");
    bool open = cidrs.empty() || std::any_of(cidrs.begin(), cidrs.end(), [](const Node& n) {
                  return text(&n).ends_with("/0");
                });
    if (open)
      o.hits.push_back({pub ? where_of(&c, "endpoint_public_access") : c.where(),
                        "the API endpoint is public and open to every address"});
  }
  o.report(out, "CKV_AWS_39", r);
}

}  // namespace

void check(const Node& plan, Collector& out) {
  std::vector<Resource> all = collect(plan);
  s3_buckets(all, out);
  security_groups(all, out);
  for (const auto& r : all) {
    iam(r, out);
    if (r.data) continue;
    bucket_policy(r, out);
    if (r.type == "aws_ebs_volume") require_true(out, "CKV_AWS_3", r, "encrypted");
    if (r.type == "aws_instance" || r.type == "aws_launch_configuration" ||
        r.type == "aws_launch_template")
      block_devices(r, out);
    if (r.type == "aws_instance" || r.type == "aws_launch_template") metadata_service(r, out);
    if (r.type == "aws_db_instance" || r.type == "aws_rds_cluster")
      require_true(out, "CKV_AWS_16", r, "storage_encrypted");
    if ((r.type == "aws_db_instance" || r.type == "aws_rds_cluster_instance") &&
        is_true(r.value("publicly_accessible")))
      out.raise(rule("CKV_AWS_17"), r.subject(),
                {{r.where_of("publicly_accessible"), "publicly_accessible is true"}});
    if (r.type == "aws_kms_key") {
      std::string_view spec = text(r.value("customer_master_key_spec"));
      // Only symmetric keys can rotate automatically.
      if (spec.empty() || spec == "SYMMETRIC_DEFAULT")
        require_true(out, "CKV_AWS_7", r, "enable_key_rotation");
    }
    if (r.type == "aws_cloudtrail") {
      require_true(out, "CKV_AWS_36", r, "enable_log_file_validation");
      require_true(out, "CKV_AWS_67", r, "is_multi_region_trail");
    }
    if (r.type == "aws_eks_cluster") eks(r, out);
  }
}

size_t resource_count(const Node& plan) {
  return collect(plan).size();
}

}  // namespace tollgate::posture::terraform
