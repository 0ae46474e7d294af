#include "scan/osv_import.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <fstream>

#include "util/files.h"

namespace tollgate::scan {
namespace {

namespace fs = std::filesystem;

fs::path testdata() {
  const char* src = std::getenv("TOLLGATE_SOURCE_DIR");
  return fs::path(src ? src : ".") / "src/scan/testdata";
}

// A zip as osv.dev publishes it: one <ID>.json per record at the top level.
void write_zip(const fs::path& zip, const fs::path& dir) {
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open_filename(a, zip.c_str());
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string data = files::read(e.path());
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path().filename().c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
    archive_write_header(a, entry);
    archive_write_data(a, data.data(), data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

TEST(Import, ReadsFilesDirectoriesAndZips) {
  files::TempDir dir;
  VulnStore store(dir.path() / "db.sqlite");
  write_zip(dir.path() / "Alpine-all.zip", testdata() / "osv/alpine");
  auto r = import_osv(
      store, {(testdata() / "osv/debian").string(), (dir.path() / "Alpine-all.zip").string()});
  EXPECT_EQ(r.records, 14);
  StoreStatus s = store.status();
  EXPECT_EQ(s.advisories, 14);
  ASSERT_TRUE(s.updated_at);
  std::map<std::string, int64_t> eco;
  for (const auto& e : s.ecosystems)
    eco[e.ecosystem] = e.advisories;
  EXPECT_EQ(eco["Debian:12"], 9);  // DEBIAN-CVE-2014-1424 has no affected entries
  EXPECT_EQ(eco["Alpine:v3.18"], 4);
  auto hits = store.affected("Debian:12", "glibc");
  EXPECT_EQ(hits.size(), 3u);
  auto adv = store.advisory("DSA-5514-1");
  ASSERT_TRUE(adv);
  EXPECT_EQ(adv->upstream.size(), 3u);
}

TEST(Import, AFailedImportLeavesTheOldDataWorking) {
  files::TempDir dir;
  VulnStore store(dir.path() / "db.sqlite");
  import_osv(store, {(testdata() / "osv/debian").string()});
  auto before = store.status();
  fs::create_directories(dir.path() / "new");
  fs::copy(testdata() / "osv/alpine", dir.path() / "new");
  std::ofstream(dir.path() / "new/zz-broken.json")
      << "{\n  \"id\": \"BROKEN-1\",\n  \"affected\": [\n    {,}\n";
  try {
    import_osv(store, {(dir.path() / "new").string()});
    FAIL() << "a broken file must fail the import";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 4);
    EXPECT_EQ(e.where().column, 6);
    EXPECT_NE(e.where().file.find("zz-broken.json"), std::string::npos);
  }
  auto after = store.status();
  EXPECT_EQ(after.advisories, before.advisories);
  EXPECT_EQ(*after.updated_at, *before.updated_at);
  EXPECT_TRUE(store.affected("Alpine:v3.18", "openssl").empty());  // none of the batch landed
}

// An entry of 1 GiB of spaces was read whole and parsed: 3.1 GB for a zip of 1 MB.
TEST(Import, AZipEntryPastTheDocumentLimitIsRefusedWhileItIsRead) {
  files::TempDir dir;
  fs::create_directories(dir.path() / "records");
  {
    std::ofstream big(dir.path() / "records/BIG-1.json");
    std::string spaces(1 << 20, ' ');
    for (uint64_t i = 0; i <= kMaxOsvDocumentBytes >> 20; ++i)
      big << spaces;  // one MiB more than the limit
  }
  write_zip(dir.path() / "all.zip", dir.path() / "records");
  VulnStore store(dir.path() / "db.sqlite");
  try {
    import_osv(store, {(dir.path() / "all.zip").string()});
    FAIL() << "an entry past the limit was imported";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), (dir.path() / "all.zip").string() +
                               ":BIG-1.json: larger than 64 MiB, the limit for one OSV document "
                               "(osv.dev's records are a few KiB to a few MiB; import a large "
                               "collection as a zip of one record per file)");
  }
  // The same as a plain file is refused before it is read.
  EXPECT_THROW(import_osv(store, {(dir.path() / "records/BIG-1.json").string()}), Error);
}

TEST(Import, RejectsRecordsThatBreakTheSchema) {
  EXPECT_THROW(parse_osv_document(R"({"affected": []})", "x.json"), Error);
  EXPECT_THROW(
      parse_osv_document(
          R"({"id": "X-1", "affected": [{"package": {"ecosystem": "Debian:12", "name": "a"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1"}]}]}]})",
          "x.json"),
      Error);
  EXPECT_THROW(
      parse_osv_document(
          R"({"id": "X-1", "affected": [{"package": {"ecosystem": "Debian:12", "name": "a"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"fixd": "1"}]}]}]})",
          "x.json"),
      Error);
  // A field whose meaning tollgate would have to guess: refused, naming the record.
  for (const char* bad :
       {R"({"id": "X-9", "withdrawn": "yesterday"})", R"({"id": "X-9", "withdrawn": 1700000000})",
        R"({"id": "X-9", "withdrawn": "4048-07-01T00:00:00+03:00"})",
        R"({"id": "X-9", "modified": "2024-13-01T00:00:00Z"})",
        R"({"id": "X-9", "severity": [{"type": "CVSS_V3", "score":
                              "CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]})",
        R"({"id": "X-9", "affected": [{"package": {"ecosystem": "Debian:12",
                              "name": "a"}, "severity": [{"type": "CVSS_V3", "score": "9.8"}]}]})"}) {
    try {
      parse_osv_document(bad, "x.json");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("OSV record X-9"), std::string::npos) << e.what();
    }
  }
  auto dated = parse_osv_document(
      R"({"id": "X-3", "modified": "2024-06-08T05:31:32.467383Z", "withdrawn": "2024-07-01T00:00:00+02:00",
          "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]})",
      "x.json");
  ASSERT_EQ(dated.size(), 1u);
  EXPECT_TRUE(dated[0].withdrawn);
  // Unknown fields are fine: newer schema minors only add.
  auto ok = parse_osv_document(R"([{"id": "X-1", "new_field": 1}, {"id": "X-2"}])", "x.json");
  EXPECT_EQ(ok.size(), 2u);
}

TEST(Store, OpeningAMissingDatabaseSaysHowToGetOne) {
  files::TempDir dir;
  try {
    VulnStore::open_existing(dir.path() / "none.sqlite");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tollgate db update"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(dir.path() / "none.sqlite"));
  std::ofstream(dir.path() / "junk.sqlite") << "this is not sqlite at all, not even close........";
  EXPECT_THROW(VulnStore::open_existing(dir.path() / "junk.sqlite"), Error);
}

}  // namespace
}  // namespace tollgate::scan
