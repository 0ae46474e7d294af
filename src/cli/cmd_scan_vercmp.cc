// tollgate vercmp: compares two versions the way a package manager does.
#include <iostream>
#include <string>

#include "cli/command.h"
#include "scan/version.h"
#include "util/error.h"
#include "util/strings.h"

namespace tollgate::cli {
namespace {

struct VercmpOptions {
  std::string scheme;
  std::string a, b;
  bool batch = false;
};

int run_vercmp(const VercmpOptions& o) {
  auto scheme = scan::parse_scheme(o.scheme);
  if (!scheme)
    throw UsageError("unknown scheme '" + o.scheme +
                     "' (choose one of: " + str::join(scan::scheme_names(), ", ") + ")");
  if (!o.batch) {
    if (o.a.empty() || o.b.empty()) throw UsageError("vercmp needs two versions, or --batch");
    std::cout << scan::compare_versions(*scheme, o.a, o.b) << "\n";
    return 0;
  }
  std::string line;
  int line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    std::string_view t = str::trim(line);
    if (t.empty()) continue;
    size_t space = t.find_first_of(" \t");
    if (space == std::string_view::npos)
      throw Error(SourceLocation{"<stdin>", line_no, 1}, "expected two versions: 'A B'");
    std::string_view a = t.substr(0, space), b = str::trim(t.substr(space));
    try {
      std::cout << scan::compare_versions(*scheme, a, b) << "\n";
    } catch (const Error& e) {
      throw Error(SourceLocation{"<stdin>", line_no, 1}, e.what());
    }
  }
  return 0;
}

Runner setup(CLI::App& cmd) {
  auto o = std::make_shared<VercmpOptions>();
  cmd.description(
      "Compare two versions with a package manager's ordering; prints -1 (A older), 0 (equal) or "
      "1 (A newer).");
  cmd.add_option("scheme", o->scheme, "dpkg, apk, rpm, semver or pep440")->required();
  cmd.add_option("a", o->a, "first version");
  cmd.add_option("b", o->b, "second version");
  cmd.add_flag("--batch", o->batch, "read 'A B' pairs from stdin, one per line; one answer a line");
  cmd.footer(
      "Examples:\n"
      "  tollgate vercmp dpkg 1:2.38.1-5 2.39-1        # 1: the epoch wins\n"
      "  tollgate vercmp apk 1.0_rc1-r0 1.0-r0         # -1: _rc is a pre-release\n"
      "  printf '1.0 1.0.0\\n2.0 1.9\\n' | tollgate vercmp pep440 --batch\n"
      "Exit codes: 0 compared, 2 a version the scheme cannot read (the message names it).");
  return [o] { return run_vercmp(*o); };
}

const bool registered =
    register_command({"vercmp", "Compare two versions (dpkg, apk, rpm, semver, pep440)", setup});

}  // namespace
}  // namespace tollgate::cli
