#include "scan/matcher.h"

#include <gtest/gtest.h>

#include "scan/osv_import.h"
#include "util/files.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

using nlohmann::json;
using verdict::Severity;
using Kind = OsvEvent::Kind;

OsvAffected ecosystem_range(std::vector<OsvEvent> events) {
  OsvAffected a;
  a.ecosystem = "Debian:12";
  a.name = "pkg";
  a.ranges.push_back({"ECOSYSTEM", std::move(events)});
  return a;
}

RangeVerdict eval(const OsvAffected& a, const std::string& v, Scheme s = Scheme::Dpkg) {
  return evaluate_affected(a, s, v, "TEST-1");
}

TEST(Evaluate, IntroducedAndFixed) {
  auto a = ecosystem_range({{Kind::Introduced, "0"}, {Kind::Fixed, "2.36-9+deb12u3"}});
  EXPECT_TRUE(eval(a, "2.36-9+deb12u1").affected);
  EXPECT_EQ(eval(a, "2.36-9+deb12u1").fixed, "2.36-9+deb12u3");
  EXPECT_FALSE(eval(a, "2.36-9+deb12u3").affected);
  EXPECT_FALSE(eval(a, "2.36-9+deb12u14").affected);
}

TEST(Evaluate, UnfixedWhenThereIsNoFixedEvent) {
  auto a = ecosystem_range({{Kind::Introduced, "0"}});
  auto r = eval(a, "1:1.2.13.dfsg-1");
  EXPECT_TRUE(r.affected);
  EXPECT_EQ(r.fixed, "");
}

TEST(Evaluate, FixedZeroMeansNotAffected) {
  auto a = ecosystem_range({{Kind::Introduced, "0"}, {Kind::Fixed, "0"}});
  EXPECT_FALSE(eval(a, "1.0-1").affected);
}

TEST(Evaluate, SortsUnsortedEvents) {
  // As in GHSA-35c4-f3rq-f9g3: events listed out of order.
  OsvAffected a;
  a.ranges.push_back({"SEMVER",
                      {{Kind::Fixed, "2.0.1"},
                       {Kind::Introduced, "2.0.0"},
                       {Kind::Fixed, "1.4.5"},
                       {Kind::Introduced, "0"}}});
  EXPECT_TRUE(eval(a, "1.4.4", Scheme::Semver).affected);
  EXPECT_EQ(eval(a, "1.4.4", Scheme::Semver).fixed, "1.4.5");
  EXPECT_FALSE(eval(a, "1.4.5", Scheme::Semver).affected);
  EXPECT_FALSE(eval(a, "1.9.0", Scheme::Semver).affected);
  EXPECT_TRUE(eval(a, "2.0.0", Scheme::Semver).affected);
  EXPECT_EQ(eval(a, "2.0.0", Scheme::Semver).fixed, "2.0.1");
  EXPECT_FALSE(eval(a, "2.0.1", Scheme::Semver).affected);
}

TEST(Evaluate, LastAffectedIncludesThatVersion) {
  auto a = ecosystem_range({{Kind::Introduced, "1.0-1"}, {Kind::LastAffected, "1.2-1"}});
  EXPECT_FALSE(eval(a, "0.9-1").affected);
  EXPECT_TRUE(eval(a, "1.2-1").affected);
  EXPECT_EQ(eval(a, "1.2-1").fixed, "");
  EXPECT_FALSE(eval(a, "1.2-2").affected);
}

TEST(Evaluate, LimitBoundsTheRange) {
  OsvAffected a = ecosystem_range({{Kind::Introduced, "0"}, {Kind::Limit, "2.0"}});
  EXPECT_TRUE(eval(a, "1.5").affected);
  EXPECT_FALSE(eval(a, "2.0").affected);
  OsvAffected star = ecosystem_range({{Kind::Introduced, "0"}, {Kind::Limit, "*"}});
  EXPECT_TRUE(eval(star, "9.9").affected);
}

TEST(Evaluate, VersionsListAndSeveralRanges) {
  OsvAffected a;
  a.versions = {"3.0.0"};
  a.ranges.push_back({"ECOSYSTEM", {{Kind::Introduced, "1.0"}, {Kind::Fixed, "1.5"}}});
  a.ranges.push_back({"ECOSYSTEM", {{Kind::Introduced, "2.0"}, {Kind::Fixed, "2.3"}}});
  a.ranges.push_back({"GIT", {{Kind::Introduced, "abc123"}, {Kind::Fixed, "def456"}}});
  EXPECT_TRUE(eval(a, "3.0.0").affected);
  EXPECT_EQ(eval(a, "3.0.0").fixed, "");
  EXPECT_TRUE(eval(a, "1.2").affected);
  EXPECT_EQ(eval(a, "1.2").fixed, "1.5");
  EXPECT_TRUE(eval(a, "2.1").affected);
  EXPECT_EQ(eval(a, "2.1").fixed, "2.3");
  EXPECT_FALSE(eval(a, "1.7").affected);
  EXPECT_FALSE(eval(a, "2.3").affected);
}

TEST(Evaluate, OverlappingRangesNeedEveryFix) {
  OsvAffected a;
  a.ranges.push_back({"ECOSYSTEM", {{Kind::Introduced, "0"}, {Kind::Fixed, "1.5"}}});
  a.ranges.push_back({"ECOSYSTEM", {{Kind::Introduced, "1.0"}, {Kind::Fixed, "1.8"}}});
  EXPECT_EQ(eval(a, "1.2").fixed, "1.8");
  a.ranges.push_back({"ECOSYSTEM", {{Kind::Introduced, "1.1"}}});
  EXPECT_EQ(eval(a, "1.2").fixed, "");
}

TEST(Evaluate, AnUnorderableVersionInARecordIsAnError) {
  auto a = ecosystem_range({{Kind::Introduced, "0"}, {Kind::Fixed, "x:1"}});
  EXPECT_THROW(eval(a, "1.0"), Error);
}

// A store filled from the OSV records in testdata plus records given inline.
class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<VulnStore>(dir_.path() / "db.sqlite");
    import_osv(*store_, {(testing_dir() / "osv").string()});
  }
  static std::filesystem::path testing_dir() {
    const char* src = std::getenv("TOLLGATE_SOURCE_DIR");
    return std::filesystem::path(src ? src : ".") / "src/scan/testdata";
  }
  void add(const json& record) {
    auto path = dir_.path() / (record["id"].get<std::string>() + ".json");
    files::write_atomic(path, record.dump());
    import_osv(*store_, {path.string()});
  }
  static Package deb(std::string name, std::string version, std::string source = "",
                     std::string source_version = "") {
    Package p;
    p.type = "deb";
    p.name = name;
    p.version = version;
    p.source_name = source.empty() ? name : source;
    p.source_version = source_version.empty() ? version : source_version;
    return p;
  }
  std::vector<Match> scan(std::vector<Package> pkgs, std::string ecosystem = "Debian:12") {
    Inventory inv;
    inv.os.ecosystem = ecosystem;
    inv.packages = std::move(pkgs);
    return match_inventory(inv, *store_);
  }
  files::TempDir dir_;
  std::unique_ptr<VulnStore> store_;
};

TEST_F(MatcherTest, MatchesBySourcePackageAndSourceVersion) {
  auto m = scan({deb("libc6", "2.36-9+deb12u1", "glibc")});
  // CVE-2023-4911 (DEBIAN-CVE and DSA merged), CVE-2023-4527 and CVE-2023-4806 (DSA only),
  // CVE-2010-4756 (unfixed).
  ASSERT_EQ(m.size(), 4u);
  std::map<std::string, const Match*> by_id;
  for (const auto& x : m)
    by_id[x.id] = &x;
  ASSERT_TRUE(by_id.count("CVE-2023-4911"));
  const Match& looney = *by_id["CVE-2023-4911"];
  EXPECT_EQ(looney.package.name, "libc6");
  EXPECT_EQ(looney.fixed_version, "2.36-9+deb12u3");
  EXPECT_EQ(looney.severity, Severity::High);  // CVSS 7.8
  EXPECT_EQ(looney.vendor_severity, "high");
  EXPECT_EQ(looney.records.size(), 2u);  // DEBIAN-CVE-2023-4911 and DSA-5514-1
  ASSERT_TRUE(by_id.count("CVE-2010-4756"));
  EXPECT_EQ(by_id["CVE-2010-4756"]->fixed_version, "");
  EXPECT_EQ(by_id["CVE-2010-4756"]->severity, Severity::Low);  // urgency unimportant
  EXPECT_TRUE(by_id.count("CVE-2023-4806"));
}

TEST_F(MatcherTest, TheBinaryEpochNeverReachesTheSourceComparison) {
  // bsdutils 1:2.38.1-5+deb12u3 comes from util-linux 2.38.1-5+deb12u3. A fix in
  // 2.38.1-5+deb12u4 affects it; compared with the binary version (epoch 1) it would not.
  add({{"id", "DEBIAN-CVE-2099-0001"},
       {"modified", "2025-01-01T00:00:00Z"},
       {"upstream", {"CVE-2099-0001"}},
       {"affected",
        {{{"package", {{"ecosystem", "Debian:12"}, {"name", "util-linux"}}},
          {"ranges",
           {{{"type", "ECOSYSTEM"},
             {"events", {{{"introduced", "0"}}, {{"fixed", "2.38.1-5+deb12u4"}}}}}}}}}}});
  auto m = scan({deb("bsdutils", "1:2.38.1-5+deb12u3", "util-linux", "2.38.1-5+deb12u3")});
  bool found = false;
  for (const auto& x : m)
    if (x.id == "CVE-2099-0001") {
      found = true;
      EXPECT_EQ(x.package.name, "bsdutils");
      EXPECT_EQ(x.package.version, "1:2.38.1-5+deb12u3");
      EXPECT_EQ(x.fixed_version, "2.38.1-5+deb12u4");
    }
  EXPECT_TRUE(found);
}

TEST_F(MatcherTest, UsesOnlyTheImagesExactRelease) {
  // Debian 11's fix (2.31-13+deb11u7) is below this version; Debian 12's is above it.
  auto on12 = scan({deb("libc6", "2.36-9+deb12u2", "glibc")});
  bool found = false;
  for (const auto& x : on12)
    found = found || x.id == "CVE-2023-4911";
  EXPECT_TRUE(found);
  // No records for Debian:13 at all: nothing matches, never a fallback to another release.
  EXPECT_TRUE(scan({deb("libc6", "2.36-9+deb12u2", "glibc")}, "Debian:13").empty());
}

TEST_F(MatcherTest, WithdrawnRecordsNeverMatch) {
  json rec = {{"id", "DEBIAN-CVE-2099-0002"},
              {"modified", "2025-01-01T00:00:00Z"},
              {"affected",
               {{{"package", {{"ecosystem", "Debian:12"}, {"name", "zlib"}}},
                 {"ranges", {{{"type", "ECOSYSTEM"}, {"events", {{{"introduced", "0"}}}}}}}}}}};
  add(rec);
  auto count = [&] {
    int n = 0;
    for (const auto& x : scan({deb("zlib1g", "1:1.2.13.dfsg-1", "zlib")}))
      n += x.id == "DEBIAN-CVE-2099-0002";
    return n;
  };
  EXPECT_EQ(count(), 1);
  rec["withdrawn"] = "2025-02-01T00:00:00Z";
  add(rec);
  EXPECT_EQ(count(), 0);
}

TEST_F(MatcherTest, AlpineMatchesByOriginWithApkOrdering) {
  Package p;
  p.type = "apk";
  p.name = "libssl3";
  p.version = p.source_version = "3.1.1-r1";
  p.source_name = "openssl";
  auto m = scan({p}, "Alpine:v3.18");
  std::set<std::string> ids;
  for (const auto& x : m)
    ids.insert(x.id);
  // CVE-2023-2650 was fixed in 3.1.1-r0, below the installed 3.1.1-r1.
  EXPECT_EQ(ids, (std::set<std::string>{"CVE-2023-3817", "CVE-2023-5363"}));
}

TEST_F(MatcherTest, FlagsKernelCvesSeenThroughHeaders) {
  auto m = scan({deb("linux-libc-dev", "6.1.187-1", "linux")});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(m[0].kernel_headers);
}

// Matching runs on several threads, each with its own connection, taking batches of sources: the
// findings must be the same, in the same order, whatever the number of threads. 300 sources with
// records that share CVEs (a DSA and a DEBIAN-CVE entry meet in one finding) and withdrawn ones.
TEST_F(MatcherTest, TheSameFindingsOnOneThreadOrMany) {
  std::vector<Package> pkgs;
  for (int i = 0; i < 300; ++i) {
    std::string src = "src" + std::to_string(i);
    pkgs.push_back(deb("bin" + std::to_string(i) + "a", "1.0-" + std::to_string(i % 7 + 1), src));
    pkgs.push_back(deb("bin" + std::to_string(i) + "b", "1.0-" + std::to_string(i % 7 + 1), src));
  }
  for (int r = 0; r < 600; ++r) {
    std::string src = "src" + std::to_string(r / 2 % 300);  // two records per source and CVE
    std::string cve = "CVE-2024-" + std::to_string(1000 + r / 2);
    json rec = {
        {"id", r % 2 == 0 ? "DEBIAN-" + cve : "DSA-" + std::to_string(5000 + r)},
        {"modified", "2024-01-01T00:00:00Z"},
        {"upstream", {cve}},
        {"affected",
         {{{"package", {{"ecosystem", "Debian:12"}, {"name", src}}},
           {"ranges",
            {{{"type", "ECOSYSTEM"},
              {"events",
               {{{"introduced", "0"}}, {{"fixed", "1.0-" + std::to_string(r % 9 + 1)}}}}}}}}}}};
    if (r % 50 == 7) rec["withdrawn"] = "2024-02-01T00:00:00Z";
    files::write_atomic(dir_.path() / (rec["id"].get<std::string>() + ".json"), rec.dump());
  }
  import_osv(*store_, {dir_.path().string()});
  Inventory inv;
  inv.os.ecosystem = "Debian:12";
  inv.packages = pkgs;
  auto key = [](const std::vector<Match>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms)
      out.push_back(m.package.name + " " + m.id + " " + m.fixed_version + " " +
                    str::join(m.records, ","));
    return out;
  };
  auto one = key(match_inventory(inv, *store_, 1));
  EXPECT_GT(one.size(), 300u);
  EXPECT_EQ(key(match_inventory(inv, *store_, 2)), one);
  EXPECT_EQ(key(match_inventory(inv, *store_, 3)), one);
  // A DSA and a DEBIAN-CVE record of one CVE made one finding naming both.
  bool merged = false;
  for (const auto& line : one)
    merged = merged || (line.find("DEBIAN-CVE-") != std::string::npos &&
                        line.find(",DSA-") != std::string::npos);
  EXPECT_TRUE(merged);
}

TEST(Severity, FollowsTheWrittenRule) {
  std::vector<OsvSeverity> record;
  OsvAffected aff;
  aff.urgency = "low*";
  EXPECT_EQ(rate(record, aff).severity, Severity::Low);
  aff.urgency = "medium**";
  EXPECT_EQ(rate(record, aff).severity, Severity::Medium);
  aff.urgency = "not yet assigned";
  EXPECT_EQ(rate(record, aff).severity, Severity::Unknown);
  EXPECT_EQ(rate(record, aff).source, "debian urgency: not yet assigned");
  aff.database_severity = "MODERATE";
  EXPECT_EQ(rate(record, aff).severity, Severity::Medium);
  aff.severity = {{"Ubuntu", "high"}};
  EXPECT_EQ(rate(record, aff).severity, Severity::Medium);  // the feed's own word comes first
  record = {{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}};
  Rating r = rate(record, aff);
  EXPECT_EQ(r.severity, Severity::Critical);
  EXPECT_EQ(r.source, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H (9.8)");
  EXPECT_EQ(r.rank(), 2);
  // A package-level vector wins over the record's.
  aff.severity = {{"CVSS_V3", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}};
  EXPECT_EQ(rate(record, aff).severity, Severity::Low);
  EXPECT_EQ(rate({}, OsvAffected{}).source, "no severity published");
}

}  // namespace
}  // namespace tollgate::scan
