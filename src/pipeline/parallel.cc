#include "pipeline/parallel.h"

#include <algorithm>

#include "util/strings.h"

namespace tollgate::pipeline {
namespace {

constexpr long long kMaxParallel = 200;

void add_node_variables(Job& j, size_t index, size_t total) {
  j.variables.push_back(Variable{"CI_NODE_INDEX", std::to_string(index), false});
  j.variables.push_back(Variable{"CI_NODE_TOTAL", std::to_string(total), false});
}

// How many jobs a matrix makes, counted before any is built (a 1,000,000-job matrix took
// 509 MB to build and then refuse). Stops counting once past kMaxParallel.
long long matrix_size(const yaml::Node& matrix) {
  long long total = 0;
  for (const auto& entry : matrix.items) {
    if (!entry.is_mapping()) continue;
    long long product = 1;
    for (const auto& e : entry.entries) {
      long long n = e.value.is_sequence() ? static_cast<long long>(e.value.items.size()) : 1;
      product = std::min(product * n, kMaxParallel + 1);
    }
    total = std::min(total + product, kMaxParallel + 1);
  }
  return total;
}

// Every permutation of one matrix entry: {A: [1, 2], B: x} -> (A=1,B=x), (A=2,B=x).
std::vector<Variables> permutations(const yaml::Node& entry, std::vector<Error>& errors) {
  std::vector<Variables> out = {{}};
  for (const auto& e : entry.entries) {
    std::vector<std::string> values;
    if (e.value.is_sequence()) {
      for (const auto& v : e.value.items)
        values.push_back(v.scalar);
    } else if (e.value.is_scalar()) {
      values.push_back(e.value.scalar);
    } else {
      errors.emplace_back(e.value.where, "a matrix value must be a string or a list of strings");
      continue;
    }
    std::vector<Variables> next;
    for (const auto& partial : out) {
      for (const auto& v : values) {
        Variables extended = partial;
        extended.push_back(Variable{e.key.scalar, v, true, false, e.key.where});
        next.push_back(std::move(extended));
      }
    }
    out = std::move(next);
  }
  return out;
}

// `$[[ matrix.NAME ]]` in the needs of one matrix copy, replaced by the copy's value of NAME:
// GitLab's matrix expressions, which pair each copy with the same copy of another matrix job.
void fill_matrix_expressions(Job& copy, const Variables& values, const SourceLocation& where,
                             std::vector<Error>& errors) {
  if (!copy.needs) return;
  for (auto& need : *copy.needs) {
    size_t open = 0;
    while ((open = need.job.find("$[[", open)) != std::string::npos) {
      size_t close = need.job.find("]]", open);
      if (close == std::string::npos) break;
      std::string expr(str::trim(std::string_view(need.job).substr(open + 3, close - open - 3)));
      auto value = std::find_if(values.begin(), values.end(),
                                [&](const Variable& v) { return expr == "matrix." + v.name; });
      if (value == values.end()) {
        errors.emplace_back(need.where.known() ? need.where : where,
                            "'$[[ " + expr + " ]]' names no variable of this job's matrix");
        open = close + 2;
        continue;
      }
      need.job.replace(open, close + 2 - open, value->value);
      open += value->value.size();
    }
  }
}

}  // namespace

std::vector<Job> expand_parallel(Job job, const yaml::Node& node, std::vector<Error>& errors) {
  const yaml::Node* parallel = node.find("parallel");
  if (!parallel || parallel->is_null()) return {std::move(job)};
  std::vector<Job> out;
  if (parallel->is_int()) {
    long long n = parallel->as_int();
    if (n < 1 || n > kMaxParallel) {
      errors.emplace_back(parallel->where, "parallel must be between 1 and 200");
      return {std::move(job)};
    }
    for (long long i = 1; i <= n; ++i) {
      Job copy = job;
      copy.name = job.name + " " + std::to_string(i) + "/" + std::to_string(n);
      add_node_variables(copy, static_cast<size_t>(i), static_cast<size_t>(n));
      out.push_back(std::move(copy));
    }
    return out;
  }
  const yaml::Node* matrix = parallel->is_mapping() ? parallel->find("matrix") : nullptr;
  if (!matrix || !matrix->is_sequence()) {
    errors.emplace_back(parallel->where, "parallel takes a number or {matrix: [...]}");
    return {std::move(job)};
  }
  if (matrix_size(*matrix) > kMaxParallel) {
    errors.emplace_back(matrix->where,
                        "parallel:matrix gives more than 200 jobs; the limit is 200");
    return {std::move(job)};
  }
  std::vector<Variables> all;
  for (const auto& entry : matrix->items) {
    if (!entry.is_mapping()) {
      errors.emplace_back(entry.where, "each parallel:matrix entry must be a mapping");
      continue;
    }
    for (auto& p : permutations(entry, errors))
      all.push_back(std::move(p));
  }
  for (size_t i = 0; i < all.size(); ++i) {
    Job copy = job;
    std::vector<std::string> values;
    for (const auto& v : all[i])
      values.push_back(v.value);
    copy.name = job.name + ": [" + str::join(values, ", ") + "]";
    // Matrix values beat the job's own variables of the same name.
    for (const auto& v : all[i])
      copy.variables.push_back(v);
    fill_matrix_expressions(copy, all[i], job.where, errors);
    add_node_variables(copy, i + 1, all.size());
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace tollgate::pipeline
