// Google Benchmark of the scan matcher and the version orderings it leans on. Trivy and Grype
// are not installable on this machine (not in Debian, no network), so there is no peer to run
// beside it; bench/scan_db.bench.sh measures the whole binary with `cat` as the floor.
#include <benchmark/benchmark.h>

#include <random>

#include "scan/matcher.h"
#include "scan/osv_import.h"
#include "util/files.h"

namespace tollgate::scan {
namespace {

// A store of `records` Debian:12 records over `packages` source packages: 85 % fixed long ago,
// 7 % fixed above the installed version, 8 % open, like bench/scan_generate_osv.py.
struct Fixture {
  files::TempDir dir{"scan-bench"};
  std::unique_ptr<VulnStore> store;
  Inventory inventory;

  Fixture(int packages, int records) {
    store = std::make_unique<VulnStore>(dir.path() / "db.sqlite");
    std::mt19937 rng(42);
    inventory.os.ecosystem = "Debian:12";
    for (int p = 0; p < packages; ++p) {
      Package pkg;
      pkg.type = "deb";
      pkg.name = "pkg" + std::to_string(p);
      pkg.version = "1:2." + std::to_string(p % 17) + "-" + std::to_string(p % 5 + 1) + "+deb12u" +
                    std::to_string(p % 9);
      pkg.source_name = "src" + std::to_string(p / 2);
      pkg.source_version = pkg.version.substr(2);
      inventory.packages.push_back(pkg);
    }
    StoreWriter w(*store);
    for (int i = 0; i < records; ++i) {
      const Package& pkg = inventory.packages[static_cast<size_t>(i % packages)];
      OsvRecord r;
      r.id = "DEBIAN-CVE-2024-" + std::to_string(i);
      r.upstream = {"CVE-2024-" + std::to_string(i)};
      r.severity = {{"CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}};
      OsvAffected a;
      a.ecosystem = "Debian:12";
      a.name = pkg.source_name;
      a.urgency = "medium";
      int roll = static_cast<int>(rng() % 100);
      std::vector<OsvEvent> events = {{OsvEvent::Kind::Introduced, "0"}};
      if (roll < 85)
        events.push_back({OsvEvent::Kind::Fixed, "0.1-1"});
      else if (roll < 92)
        events.push_back({OsvEvent::Kind::Fixed, pkg.source_version + "+deb12u99"});
      a.ranges.push_back({"ECOSYSTEM", events});
      r.affected.push_back(a);
      w.add(r);
    }
    w.commit({"bench"});
  }
};

void BM_MatchInventory(benchmark::State& state) {
  static Fixture fixture(900, 40'000);
  size_t findings = 0;
  for (auto _ : state) {
    auto matches = match_inventory(fixture.inventory, *fixture.store);
    findings = matches.size();
    benchmark::DoNotOptimize(matches);
  }
  state.counters["packages"] = 900;
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_MatchInventory)->Unit(benchmark::kMillisecond);

void BM_CompareDpkg(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(compare_dpkg("1:2.38.1-5+deb12u3", "2.38.1-5+deb12u12"));
}
BENCHMARK(BM_CompareDpkg);

void BM_CompareApk(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(compare_apk("1.36.1_p2-r10", "1.36.1_rc3-r9"));
}
BENCHMARK(BM_CompareApk);

}  // namespace
}  // namespace tollgate::scan
