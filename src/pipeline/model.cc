#include "pipeline/model.h"

#include <algorithm>

namespace tollgate::pipeline {

std::string_view to_string(When w) {
  switch (w) {
    case When::OnSuccess:
      return "on_success";
    case When::OnFailure:
      return "on_failure";
    case When::Always:
      return "always";
    case When::Manual:
      return "manual";
    case When::Never:
      return "never";
    case When::Delayed:
      return "delayed";
  }
  return "on_success";
}

const Job* Pipeline::find(const std::string& name) const {
  for (const auto& j : jobs)
    if (j.name == name) return &j;
  return nullptr;
}

}  // namespace tollgate::pipeline
