#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace tollgate::pipeline {

// Looks a variable up; nullopt when it is not defined.
using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Evaluates a `rules:if` / `only:variables` expression as GitLab does:
//   $VAR                 true when defined and not empty
//   $A == "x", $A != $B  string comparison; an undefined variable equals only null
//   $A =~ /re/i, $A !~ $PATTERN
//                        RE2 search (unanchored); flags i, m, s; the right side may be a
//                        variable holding "/re/flags"; an undefined left side never matches
//   a && b || c          && binds tighter than ||; parentheses group
// Throws Error at `where` moved to the offending column on a syntax error.
bool evaluate_expression(std::string_view expr, const VariableLookup& lookup,
                         const SourceLocation& where = {});

}  // namespace tollgate::pipeline
