#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tollgate {

// Text with the credentials of every URL in it masked: "http://user:secret@host" becomes
// "http://user:[MASKED]@host", "https://token@host" becomes "https://[MASKED]@host". Every
// Error's message and location pass through it, so a source named with a password
// (opencost:http://user:pass@host) never shows it in an error.
std::string redact_credentials(std::string text);

// Where a piece of input came from, for messages of the form file:line:col.
// line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return !file.empty(); }
  std::string str() const;  // "file:line:col", "file:line" or "file"
};

// The one exception type tollgate throws for bad input or an environment it cannot use.
// The CLI prints it as "tollgate: error: <where>: <what>" and exits with code 2: it means
// "could not verify", never a failed or passed verification.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(redact_credentials(what)) {}
  Error(SourceLocation where, const std::string& what)
      : std::runtime_error(redact_credentials(what)), where_(std::move(where)) {
    where_.file = redact_credentials(std::move(where_.file));
  }

  const SourceLocation& where() const { return where_; }
  // The whole message: "<where>: <what>" when the location is known.
  std::string message() const;

 private:
  SourceLocation where_;
};

// Several independent problems found in one pass (e.g. every error in a pipeline file), so the
// user can fix them all at once. message() is the first; all() lists them in order.
class ErrorList : public Error {
 public:
  explicit ErrorList(std::vector<Error> errors);
  const std::vector<Error>& all() const { return errors_; }

 private:
  std::vector<Error> errors_;
};

// A wrong flag or argument on the command line.
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace tollgate
