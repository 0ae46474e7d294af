// The Terraform AWS rules, under Checkov's ids so results line up with what teams know.
#include <stdexcept>

#include "posture/terraform.h"

namespace tollgate::posture::terraform {
namespace {

using S = verdict::Severity;

RuleInfo r(std::string id, S severity, std::string title, std::string why, std::string fix) {
  return {std::move(id),    Pack::Terraform, severity,
          std::move(title), std::move(why),  std::move(fix)};
}

}  // namespace

const std::vector<RuleInfo>& rules() {
  static const std::vector<RuleInfo> all = {
      r("CKV_AWS_20", S::Critical, "S3 bucket readable by everyone",
        "A public-read ACL or a READ grant to the AllUsers group publishes every object in the "
        "bucket to the internet.",
        "remove the public ACL or grant; serve public content through CloudFront instead"),
      r("CKV_AWS_57", S::Critical, "S3 bucket writable by everyone",
        "A public-read-write ACL or a WRITE grant to AllUsers lets anyone store, overwrite and "
        "delete objects at your expense.",
        "remove the public-read-write ACL or the WRITE grant"),
      r("CKV_AWS_70", S::Critical, "S3 bucket policy allows everyone",
        "A bucket policy statement that allows Principal \"*\" without a condition opens the "
        "bucket's objects to anyone on the internet, whatever the ACLs say.",
        "name the principals (accounts, roles) or add a Condition such as aws:SourceVpce"),
      r("CKV_AWS_53", S::High, "S3 public access block does not block public ACLs",
        "Without block_public_acls a later ACL change can make objects public.",
        "set block_public_acls = true"),
      r("CKV_AWS_54", S::High, "S3 public access block does not block public policies",
        "Without block_public_policy a bucket policy can grant public access.",
        "set block_public_policy = true"),
      r("CKV_AWS_55", S::High, "S3 public access block does not ignore public ACLs",
        "Without ignore_public_acls existing public ACLs keep working.",
        "set ignore_public_acls = true"),
      r("CKV_AWS_56", S::High, "S3 public access block does not restrict public buckets",
        "Without restrict_public_buckets a public bucket policy still grants access.",
        "set restrict_public_buckets = true"),
      r("CKV2_AWS_6", S::High, "S3 bucket has no public access block",
        "A bucket without an aws_s3_bucket_public_access_block relies on every future ACL and "
        "policy change being right.",
        "add an aws_s3_bucket_public_access_block for the bucket with all four settings true"),
      r("CKV_AWS_19", S::Low, "S3 bucket has no server-side encryption configuration",
        "AWS encrypts new objects with SSE-S3 by default since January 2023, but an explicit "
        "configuration documents the choice and allows KMS keys with access control and audit.",
        "add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms or "
        "AES256"),
      r("CKV_AWS_21", S::Low, "S3 bucket versioning is not enabled",
        "Without versioning an overwrite or delete, accidental or malicious, cannot be undone.",
        "add aws_s3_bucket_versioning with versioning_configuration { status = \"Enabled\" }"),
      r("CKV_AWS_24", S::Critical, "Security group opens SSH (22) to the internet",
        "SSH open to 0.0.0.0/0 or ::/0 is scanned and brute-forced within minutes of creation.",
        "restrict the source to known networks or use SSM Session Manager"),
      r("CKV_AWS_25", S::Critical, "Security group opens RDP (3389) to the internet",
        "RDP open to the internet is one of the most common ransomware entry points.",
        "restrict the source to known networks or use a bastion / VPN"),
      r("CKV_AWS_260", S::Medium, "Security group opens HTTP (80) to the internet",
        "Plain HTTP from anywhere usually means traffic that should go through a load balancer "
        "with TLS reaches the instance directly.",
        "put the service behind a load balancer with TLS, or restrict the source"),
      r("CKV_AWS_277", S::Critical, "Security group allows all traffic from the internet",
        "An ingress rule for every protocol (-1) from anywhere exposes every service on the "
        "instance, including ones nobody meant to publish.",
        "allow only the protocols and ports the service needs, from the networks that need them"),
      r("CKV_AWS_382", S::Medium, "Security group allows all traffic to the internet",
        "An egress rule for every protocol (-1) to anywhere lets a compromised instance reach "
        "any host on any port: exfiltration and command-and-control go unhindered.",
        "allow only the destinations and ports the service needs (VPC endpoints for AWS APIs)"),
      r("CKV_AWS_3", S::High, "EBS volume is not encrypted",
        "Unencrypted volumes and their snapshots expose data to anyone who can copy or share "
        "them. (Account-level default encryption is invisible in a plan.)",
        "set encrypted = true (and kms_key_id for a customer key)"),
      r("CKV_AWS_8", S::High, "Instance block device is not encrypted",
        "Root and attached block devices without encryption leave the instance's data readable "
        "from snapshots.",
        "set encrypted = true in root_block_device and every ebs_block_device"),
      r("CKV_AWS_16", S::High, "RDS storage is not encrypted",
        "Database storage, backups and snapshots are readable without the KMS key controls "
        "encryption adds; encryption cannot be turned on later without a restore.",
        "set storage_encrypted = true"),
      r("CKV_AWS_17", S::Critical, "RDS instance is publicly accessible",
        "A publicly accessible database gets a public DNS name and address; only a security "
        "group stands between it and the internet.",
        "set publicly_accessible = false and reach it from inside the VPC"),
      r("CKV_AWS_62", S::Critical, "IAM policy grants full administrative access",
        "A statement that allows every action on every resource is administrator access: one "
        "leaked credential owns the account.",
        "list the actions and resources the principal needs"),
      r("CKV_AWS_63", S::High, "IAM policy allows every action",
        "Action \"*\" grants every present and future API call on the resources named.",
        "list the actions the principal needs"),
      r("CKV_AWS_1", S::Critical, "IAM policy document grants full administrative access",
        "An aws_iam_policy_document that allows every action on every resource becomes "
        "administrator access wherever it is attached.",
        "list the actions and resources in the statement"),
      r("CKV_AWS_355", S::Medium, "IAM policy allows restrictable actions on every resource",
        "A statement that allows actions which can name their resources on Resource \"*\" "
        "reaches every present and future resource of those services in the account.",
        "name the resources (ARNs) the actions need; keep \"*\" for actions that take none"),
      r("CKV_AWS_356", S::Medium,
        "IAM policy document allows restrictable actions on every resource",
        "An aws_iam_policy_document statement that allows actions which can name their "
        "resources on Resource \"*\" reaches every resource of those services wherever the "
        "document is attached.",
        "name the resources (ARNs) in the statement; keep \"*\" for actions that take none"),
      r("CKV_AWS_79", S::Medium, "Instance metadata service v1 is enabled",
        "Without http_tokens = \"required\" a server-side request forgery can read the "
        "instance's credentials from the metadata service.",
        "set metadata_options { http_tokens = \"required\" }"),
      r("CKV_AWS_7", S::Medium, "KMS key rotation is disabled",
        "Without rotation a key's material never changes, so a compromised key stays useful "
        "forever.",
        "set enable_key_rotation = true"),
      r("CKV_AWS_36", S::Medium, "CloudTrail log file validation is disabled",
        "Without log file validation an attacker who reaches the bucket can alter the audit "
        "trail undetected.",
        "set enable_log_file_validation = true"),
      r("CKV_AWS_67", S::Medium, "CloudTrail does not cover all regions",
        "A single-region trail misses activity in every other region, where attackers like to "
        "start resources.",
        "set is_multi_region_trail = true"),
      r("CKV_AWS_39", S::High, "EKS cluster API endpoint is public",
        "A public Kubernetes API endpoint is reachable from the internet; only authentication "
        "stands in the way.",
        "set vpc_config { endpoint_public_access = false } or restrict public_access_cidrs"),
  };
  return all;
}

const RuleInfo& rule(std::string_view id) {
  for (const auto& x : rules())
    if (x.id == id) return x;
  throw std::logic_error("unknown terraform rule " + std::string(id));
}

}  // namespace tollgate::posture::terraform
