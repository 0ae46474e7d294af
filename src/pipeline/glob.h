#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tollgate::pipeline {

// Matches a path against a pattern the way GitLab matches `changes:` and `exists:` entries
// (Ruby's File.fnmatch with FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB):
//   *        any characters except '/', dotfiles included
//   **/      zero or more whole directories ("**" not followed by '/' is a plain '*')
//   ?        one character except '/'
//   [a-z]    a class; [!a] or [^a] negated
//   {a,b}    alternatives
//   \x       a literal x
bool glob_match(std::string_view pattern, std::string_view path);

// Matches a path against an `include: local` wildcard as GitLab lists them
// (Repository#search_files_by_wildcard_path): `**` is any characters, '/' included, so
// `ci/**.yml` finds files at every depth and `ci/**/*.yml` only in subfolders; `*` is any
// characters but '/'; every other character is itself.
bool include_wildcard_match(std::string_view pattern, std::string_view path);

// The brace alternatives of a pattern, expanded: "a/{b,c}/*" -> "a/b/*", "a/c/*".
std::vector<std::string> expand_braces(std::string_view pattern);

}  // namespace tollgate::pipeline
