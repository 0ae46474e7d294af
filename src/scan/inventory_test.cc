#include "scan/inventory.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "util/files.h"

namespace tollgate::scan {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(OsRelease, MapsReleasesToOsvEcosystems) {
  EXPECT_EQ(parse_os_release("ID=debian\nVERSION_ID=\"12\"\n").ecosystem, "Debian:12");
  EXPECT_EQ(parse_os_release("ID=debian\nVERSION_ID=\"11\"\n").ecosystem, "Debian:11");
  EXPECT_EQ(parse_os_release("ID=alpine\nVERSION_ID=3.18.4\n").ecosystem, "Alpine:v3.18");
  EXPECT_EQ(parse_os_release("ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.3 LTS (Jammy "
                             "Jellyfish)\"\n")
                .ecosystem,
            "Ubuntu:22.04:LTS");
  EXPECT_EQ(
      parse_os_release("ID=ubuntu\nVERSION_ID=\"23.10\"\nVERSION=\"23.10 (Mantic)\"\n").ecosystem,
      "Ubuntu:23.10");
  OsInfo edge = parse_os_release("ID=alpine\nVERSION_ID=3.20.0_alpha20240329\n");
  EXPECT_EQ(edge.ecosystem, "");
  EXPECT_NE(edge.note, "");
  OsInfo fedora = parse_os_release("ID=fedora\nVERSION_ID=39\n");
  EXPECT_EQ(fedora.ecosystem, "");
  EXPECT_NE(fedora.note.find("fedora"), std::string::npos);
}

TEST(Dpkg, ReadsInstalledPackagesWithTheirSource) {
  std::string status =
      "Package: bsdutils\n"
      "Essential: yes\n"
      "Status: install ok installed\n"
      "Architecture: amd64\n"
      "Source: util-linux (2.38.1-5+deb12u3)\n"
      "Version: 1:2.38.1-5+deb12u3\n"
      "Description: basic utilities from 4.4BSD-Lite\n"
      " This package contains the bare minimum of BSD utilities.\n"
      "\n"
      "Package: libc6\n"
      "Status: install ok installed\n"
      "Source: glibc\n"
      "Version: 2.36-9+deb12u4\n"
      "\n"
      "Package: removed-but-configured\n"
      "Status: deinstall ok config-files\n"
      "Version: 1.0-1\n"
      "\n"
      "Package: bash\n"
      "Status: install ok installed\n"
      "Source: bash (5.2.15-2)\n"
      "Version: 5.2.15-2+b8\n";
  auto pkgs = parse_dpkg_status(status, "/var/lib/dpkg/status", true);
  ASSERT_EQ(pkgs.size(), 3u);
  EXPECT_EQ(pkgs[0].name, "bsdutils");
  EXPECT_EQ(pkgs[0].version, "1:2.38.1-5+deb12u3");
  EXPECT_EQ(pkgs[0].source_name, "util-linux");
  EXPECT_EQ(pkgs[0].source_version, "2.38.1-5+deb12u3");
  EXPECT_EQ(pkgs[0].location.line, 1);
  EXPECT_EQ(pkgs[1].source_name, "glibc");
  EXPECT_EQ(pkgs[1].source_version, "2.36-9+deb12u4");
  EXPECT_EQ(pkgs[1].location.line, 10);
  EXPECT_EQ(pkgs[2].source_version, "5.2.15-2");
}

TEST(Apk, ReadsPackagesWithTheirOrigin) {
  std::string db =
      "C:Q1abc=\nP:libcrypto3\nV:3.1.1-r1\nA:x86_64\no:openssl\n\n"
      "C:Q1def=\nP:musl\nV:1.2.4-r0\nA:x86_64\n";
  auto pkgs = parse_apk_installed(db, "/lib/apk/db/installed");
  ASSERT_EQ(pkgs.size(), 2u);
  EXPECT_EQ(pkgs[0].source_name, "openssl");
  EXPECT_EQ(pkgs[0].version, "3.1.1-r1");
  EXPECT_EQ(pkgs[1].source_name, "musl");
  EXPECT_EQ(pkgs[1].location.line, 8);  // the P: line
}

TEST(Rootfs, ResolvesSymlinksInsideTheRootNeverOnTheHost) {
  files::TempDir dir;
  fs::path root = dir.path() / "root";
  write(root / "usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  fs::create_directories(root / "etc");
  fs::create_symlink("../usr/lib/os-release", root / "etc/os-release");
  // An absolute link to the host's dpkg status must resolve to the image's own (absent) one.
  fs::create_directories(root / "var/lib/dpkg");
  fs::create_symlink("/var/lib/dpkg/status.real", root / "var/lib/dpkg/status");
  write(dir.path() / "outside", "secret");
  fs::create_symlink("../../../../outside", root / "etc/escape");
  DirectoryFs image(root);
  auto release = image.read("/etc/os-release");
  ASSERT_TRUE(release);
  EXPECT_NE(release->find("debian"), std::string::npos);
  EXPECT_FALSE(image.read("/var/lib/dpkg/status"));
  EXPECT_FALSE(image.read("/etc/escape"));  // ".." stops at the image root
  write(root / "var/lib/dpkg/status.real",
        "Package: a\nStatus: install ok installed\nVersion: 1.0\n");
  Inventory inv = read_inventory(image);
  EXPECT_EQ(inv.os.ecosystem, "Debian:12");
  ASSERT_EQ(inv.packages.size(), 1u);
  EXPECT_EQ(inv.packages[0].name, "a");
}

TEST(Rootfs, AbsoluteSymlinksAndChainsStayInsideTheRoot) {
  files::TempDir dir;
  fs::path root = dir.path() / "root";
  // Debian's /etc/alternatives style: absolute targets, meant for the image's own root.
  write(root / "usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  fs::create_directories(root / "etc");
  fs::create_symlink("/usr/lib/os-release", root / "etc/os-release");
  // A chain whose last link climbs towards the host's /etc/passwd.
  fs::create_directories(root / "usr/share");
  fs::create_symlink("b", root / "usr/share/a");
  fs::create_symlink("../../../../etc/passwd", root / "usr/share/b");
  DirectoryFs image(root);
  EXPECT_EQ(read_inventory(image).os.ecosystem, "Debian:12");
  EXPECT_EQ(image.resolve("/etc/os-release"), "/usr/lib/os-release");
  // The image has no /etc/passwd: the chain ends at nothing, and the host's file stays unread.
  ASSERT_TRUE(fs::exists("/etc/passwd"));
  EXPECT_FALSE(image.read("/usr/share/a"));
  write(root / "etc/passwd", "image-only\n");
  EXPECT_EQ(image.read("/usr/share/a"), "image-only\n");
}

TEST(Rootfs, ReadsDistrolessStatusDirectory) {
  files::TempDir dir;
  fs::path root = dir.path();
  write(root / "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
  write(root / "var/lib/dpkg/status.d/libc6",
        "Package: libc6\nVersion: 2.36-9+deb12u4\nSource: glibc\nArchitecture: amd64\n");
  write(root / "var/lib/dpkg/status.d/libc6.md5sums", "0123 usr/lib/x86_64-linux-gnu/libc.so.6\n");
  write(root / "var/lib/dpkg/status.d/base-files",
        "Package: base-files\nVersion: 12.4+deb12u6\nArchitecture: amd64\n");
  Inventory inv = read_inventory(DirectoryFs(root));
  ASSERT_EQ(inv.packages.size(), 2u);
  EXPECT_EQ(inv.packages[0].name, "base-files");
  EXPECT_EQ(inv.packages[1].source_name, "glibc");
}

TEST(Rootfs, ReadsThisMachinesRealDebianDatabase) {
  ASSERT_TRUE(fs::exists("/var/lib/dpkg/status")) << "not a Debian machine";
  files::TempDir dir;
  fs::path root = dir.path();
  fs::create_directories(root / "usr/lib");
  fs::create_directories(root / "etc");
  fs::create_directories(root / "var/lib/dpkg");
  fs::copy_file("/usr/lib/os-release", root / "usr/lib/os-release");
  fs::create_symlink("../usr/lib/os-release", root / "etc/os-release");
  fs::copy_file("/var/lib/dpkg/status", root / "var/lib/dpkg/status");
  Inventory inv = read_inventory(DirectoryFs(root));
  EXPECT_EQ(inv.os.id, "debian");
  EXPECT_FALSE(inv.os.ecosystem.empty());
  EXPECT_GT(inv.packages.size(), 50u);
  int with_source_version = 0;
  for (const auto& p : inv.packages)
    with_source_version += p.source_version != p.version;
  EXPECT_GT(with_source_version, 0);  // bsdutils, bash ... carry "Source: x (version)"
}

// A 3 GiB sparse status took 4.1 GB to read; a FIFO in its place blocked the scan for ever.
TEST(Rootfs, AStatusLargerThanAnyPackageDatabaseOrNotAFileIsNotRead) {
  files::TempDir dir;
  fs::path status = dir.path() / "var/lib/dpkg/status";
  fs::create_directories(status.parent_path());
  { std::ofstream(status) << "Package: a\n"; }
  fs::resize_file(status, kMaxKeptFileBytes + 1);  // sparse: no disk, no time
  try {
    read_inventory(DirectoryFs(dir.path()));
    FAIL() << "a status over the limit was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), status.string() +
                               ": 268435457 bytes is too large for a package database (the "
                               "limit is 256 MiB)");
  }
  fs::remove(status);
  ASSERT_EQ(mkfifo(status.c_str(), 0600), 0);
  EXPECT_TRUE(read_inventory(DirectoryFs(dir.path())).packages.empty());
}

TEST(LayeredFs, AppliesWhiteoutsAndOpaqueDirectories) {
  LayeredFs fs;
  fs.begin_layer();
  fs.add_file("/var/lib/dpkg/status", "Package: a\n");
  fs.add_file("/var/lib/dpkg/status.d/x", "Package: x\n");
  fs.add_file("/var/lib/dpkg/status.d/y", "Package: y\n");
  fs.add_symlink("/etc/os-release", "../usr/lib/os-release");
  fs.add_file("/usr/lib/os-release", "ID=debian\n");
  fs.begin_layer();
  fs.remove("/var/lib/dpkg/status");
  fs.add_file("/var/lib/dpkg/status.d/z", "Package: z\n");
  fs.make_opaque("/var/lib/dpkg/status.d");  // after z: z is this layer's and stays
  EXPECT_FALSE(fs.read("/var/lib/dpkg/status"));
  EXPECT_EQ(fs.list("/var/lib/dpkg/status.d"), std::vector<std::string>{"z"});
  EXPECT_EQ(*fs.read("/etc/os-release"), "ID=debian\n");
  fs.begin_layer();
  fs.add_other("/usr/lib/os-release");  // replaced by a file nobody keeps: hides the old one
  EXPECT_FALSE(fs.read("/etc/os-release"));
  fs.add_symlink("/var/lib/dpkg", "/somewhere");  // a directory replaced by a link
  EXPECT_TRUE(fs.list("/var/lib/dpkg/status.d").empty());
}

TEST(ImagePath, RefusesPathsThatClimbOut) {
  EXPECT_EQ(normalize_image_path("./etc//os-release"), "/etc/os-release");
  EXPECT_EQ(normalize_image_path("/etc/"), "/etc");
  EXPECT_EQ(normalize_image_path("etc/../../x"), std::nullopt);
  EXPECT_EQ(normalize_image_path("../etc/passwd"), std::nullopt);
}

}  // namespace
}  // namespace tollgate::scan
