#include "util/yaml.h"

#include <gtest/gtest.h>

namespace tollgate::yaml {
namespace {

TEST(Yaml, MergeKeysLocalKeysWinAndFirstSourceWins) {
  Node doc = load(
      "a: &a {k: 1, j: 2}\n"
      "b: &b {k: 9, z: 3}\n"
      "c:\n"
      "  <<: [*a, *b]\n"
      "  k: 5\n",
      "t.yml");
  const Node* c = doc.find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->find("k")->scalar, "5");
  EXPECT_EQ(c->find("j")->scalar, "2");
  EXPECT_EQ(c->find("z")->scalar, "3");
  EXPECT_EQ(c->find("<<"), nullptr);
}

TEST(Yaml, KeepsLocationsTagsAndQuoting) {
  Node doc = load("x:\n  y: !reference [a, b]\n  q: 'false'\n  p: false\n  n: ~\n", "f.yml");
  const Node* y = doc.find("x")->find("y");
  EXPECT_EQ(y->tag, "!reference");
  EXPECT_TRUE(y->is_sequence());
  EXPECT_EQ(y->where.str(), "f.yml:2:6");
  EXPECT_FALSE(doc.find("x")->find("q")->is_bool());
  EXPECT_TRUE(doc.find("x")->find("p")->is_bool());
  EXPECT_FALSE(doc.find("x")->find("p")->as_bool());
  EXPECT_TRUE(doc.find("x")->find("n")->is_null());
}

TEST(Yaml, ParseErrorsCarryFileLineColumn) {
  try {
    load("a: [1, 2\nb: c\n", "bad.yml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().file, "bad.yml");
    EXPECT_GT(e.where().line, 0);
    EXPECT_NE(e.message().find("bad.yml:"), std::string::npos);
  }
}

TEST(Yaml, MultiDocumentAndJson) {
  auto docs = load_all("a: 1\n---\n---\nb: [1, 2.5, true, x]\n", "m.yml");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_TRUE(docs[1].is_null());
  EXPECT_EQ(docs[2].to_json().dump(), R"({"b":[1,2.5,true,"x"]})");
}

TEST(Yaml, AliasBombIsRefused) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'i'; ++c) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i)
      text += std::string(i ? ", *" : "*") + prev;
    text += "]\n";
    prev = c;
  }
  EXPECT_THROW(load(text, "bomb.yml"), Error);
}

}  // namespace
}  // namespace tollgate::yaml

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/files.h"

namespace tollgate::files {
namespace {
TEST(Files, WriteAtomicNeverReplacesADevice) {
  write_atomic("/dev/null", "ignored\n");
  struct stat st {};
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null was replaced by a plain file";
}
TEST(Files, WriteAtomicReplacesAFileWhole) {
  TempDir dir;
  write_atomic(dir.path() / "f", "one\n");
  // A reader holding the old file keeps reading the old content: the new one took its place.
  int old_fd = ::open((dir.path() / "f").c_str(), O_RDONLY);
  ASSERT_GE(old_fd, 0);
  write_atomic(dir.path() / "f", "two\n");
  EXPECT_EQ(read(dir.path() / "f"), "two\n");
  char buf[8] = {};
  EXPECT_EQ(::read(old_fd, buf, sizeof buf), 4);
  EXPECT_EQ(std::string(buf), "one\n");
  ::close(old_fd);
  // Nothing is left beside it: no temporary file, no old copy.
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}
}  // namespace
}  // namespace tollgate::files

namespace tollgate::yaml {
namespace {
TEST(Yaml, EmitRoundTripsThroughTheLoader) {
  const char* text =
      "job:\n  script:\n    - echo \"a: b\"\n    - 'false'\n  variables:\n    A: \"1\"\n    B: "
      "plain\n"
      "  needs: []\n  retry: 2\n  rules:\n    - if: $X == \"y\"\n      when: never\n";
  Node first = load(text, "a.yml");
  std::string emitted = emit(first);
  Node second = load(emitted, "b.yml");
  EXPECT_EQ(first.to_json(), second.to_json()) << emitted;
  EXPECT_FALSE(second.find("job")->find("script")->items[1].is_bool()) << emitted;
}
}  // namespace
}  // namespace tollgate::yaml
