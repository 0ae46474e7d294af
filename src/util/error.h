#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate {

// Text with the credentials of every URL in it masked: "http://user:secret@host" becomes
// "http://user:[MASKED]@host", "https://token@host" becomes "https://[MASKED]@host". Every
// Error's message and location pass through it, so a source named with a password
// (opencost:http://user:pass@host) never shows it in an error.
std::string redact_credentials(std::string text);

// A file name as locations hold it: one shared copy per distinct name, so copying a location (a
// parsed 40,000-job file has a quarter of a million, each YAML node copied a few times on the way
// to the jobs) copies a pointer, not a string. Reads as the std::string it names.
class FileName {
 public:
  FileName() = default;
  FileName(std::string_view name);  // NOLINT: implicit, a location is built from any string
  FileName(const std::string& name) : FileName(std::string_view(name)) {}  // NOLINT
  FileName(const char* name) : FileName(std::string_view(name)) {}         // NOLINT

  const std::string& str() const { return name_ ? *name_ : empty_name(); }
  operator const std::string&() const { return str(); }  // NOLINT
  operator std::string_view() const { return str(); }    // NOLINT

  bool empty() const { return str().empty(); }
  size_t size() const { return str().size(); }
  const char* c_str() const { return str().c_str(); }
  size_t find(std::string_view what, size_t from = 0) const { return str().find(what, from); }

  friend bool operator==(const FileName& a, const FileName& b) {
    return a.name_ == b.name_ || a.str() == b.str();
  }
  friend bool operator==(const FileName& a, std::string_view b) { return a.str() == b; }
  friend bool operator==(const FileName& a, const char* b) { return a.str() == b; }
  friend bool operator==(const FileName& a, const std::string& b) { return a.str() == b; }
  friend auto operator<=>(const FileName& a, const FileName& b) { return a.str() <=> b.str(); }
  friend std::string operator+(const FileName& a, std::string_view b) {
    return a.str() + std::string(b);
  }
  friend std::string operator+(std::string_view a, const FileName& b) {
    return std::string(a) + b.str();
  }

 private:
  static const std::string& empty_name();
  const std::string* name_ = nullptr;  // interned for the process' life; nullptr is ""
};
std::ostream& operator<<(std::ostream& out, const FileName& name);

// Where a piece of input came from, for messages of the form file:line:col.
// line and column are 1-based; 0 means unknown.
struct SourceLocation {
  FileName file;
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
    where_.file = redact_credentials(where_.file.str());
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
