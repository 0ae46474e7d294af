#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/expression.h"
#include "pipeline/model.h"

namespace tollgate::pipeline {

// Why a value cannot be masked, or "" when it can. GitLab's rule (Ci::Maskable): 8 or more
// characters of A-Z a-z 0-9 _ + = / @ : . ~ -, or of any non-space characters for a raw
// (expand: false) variable. Masking replaces the value line by line in what a job prints: a
// value across lines would show, and a short one would mask every such pair of characters.
std::string unmaskable_because(std::string_view value, bool raw);

// Expands $VAR and ${VAR} in text; $$ is a literal '$'; an undefined variable becomes "".
std::string expand_variables(std::string_view text, const VariableLookup& lookup);

// The variables a job sees, built from the lowest precedence up: every later set() of a name
// replaces the earlier one, as GitLab ranks them (predefined < global < job < rules <
// dotenv < command line). Values are expanded when read, against the final set, so a global
// variable may use a job's value of another.
class VariableSet {
 public:
  void set(const Variable& v) { vars_[v.name] = v; }
  void set(std::string name, std::string value, bool expand = false) {
    vars_[name] = Variable{name, std::move(value), expand};
  }
  void set_all(const Variables& vs) {
    for (const auto& v : vs)
      set(v);
  }

  void unset(std::string_view name) { vars_.erase(std::string(name)); }

  bool contains(std::string_view name) const { return vars_.count(std::string(name)) > 0; }
  // The expanded value, or nullopt when undefined.
  std::optional<std::string> get(std::string_view name) const;
  VariableLookup lookup() const {
    return [this](std::string_view n) { return get(n); };
  }
  // KEY=VALUE for every variable, expanded: the job's environment.
  std::vector<std::string> environment() const;
  // Name and expanded value of every file-type variable.
  std::vector<std::pair<std::string, std::string>> file_contents() const;
  // Values of masked variables (for [MASKED] in logs), longest first.
  std::vector<std::string> masked_values() const;

 private:
  // One get() of `variable`: the lookups of other variables it took, for the bound on them.
  struct Expansion {
    std::string_view variable;
    size_t lookups = 0;
  };
  // name's value expanded into out; false when it is undefined.
  bool get(std::string_view name, int depth, Expansion& expansion, std::string& out) const;
  std::map<std::string, Variable> vars_;
};

}  // namespace tollgate::pipeline
