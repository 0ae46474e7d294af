#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/model.h"
#include "util/error.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// Reads the values of job keywords (variables, rules, needs, artifacts, cache, ...) from YAML
// into the model, checking their types. Problems are appended to the shared error list so a file
// reports every mistake at once; a reader returns what it could read.
class KeywordReader {
 public:
  explicit KeywordReader(std::vector<Error>& errors) : errors_(errors) {}

  std::vector<yaml::Node> sequence(const yaml::Node& n, const std::string& what);
  std::vector<std::string> strings(const yaml::Node& n, const std::string& what);
  // A list of strings and nothing else (GitLab's array_of_strings): a lone string, a number or
  // a boolean is an error.
  std::vector<std::string> string_list(const yaml::Node& n, const std::string& what);
  void script_lines(const yaml::Node& n, const std::string& key, std::vector<std::string>& out,
                    int depth = 0);
  Variables variables(const yaml::Node& n);
  std::optional<When> when_value(const yaml::Node& n);
  std::vector<std::string> changes(const yaml::Node& n, std::string* compare_to);
  // workflow: the rules of workflow:, which may also hold auto_cancel.
  std::vector<Rule> rules(const yaml::Node& n, bool workflow = false);
  AutoCancel auto_cancel(const yaml::Node& n);
  RefFilter ref_filter(const yaml::Node& n, const std::string& key);
  Environment environment(const yaml::Node& n);
  Artifacts artifacts(const yaml::Node& n);
  void read_needs(const yaml::Node& n, Job& j);
  std::vector<std::string> matrix_job_names(const std::string& job, const yaml::Node& parallel);
  void read_inherit(const yaml::Node& n, Job& j);
  Cache cache(const yaml::Node& n);
  void read_allow_failure(const yaml::Node& n, Job& j);
  void read_retry(const yaml::Node& n, Job& j);
  // `image:` (what = "image") or a service's image: a name or {name, entrypoint, pull_policy,
  // docker: {user, platform}}. `extra` receives the keys this reader does not know, for a service.
  Image image(const yaml::Node& n, const std::string& what,
              std::vector<const yaml::Node*>* extra = nullptr);
  Service service(const yaml::Node& n);

 private:
  void read_if(const yaml::Node& n, Rule& r);
  void read_cache_key(const yaml::Node& key, Cache& c);
  void error(const SourceLocation& where, std::string what) {
    errors_.emplace_back(where, std::move(what));
  }
  std::vector<Error>& errors_;
};

}  // namespace tollgate::pipeline
