// The files of src/web/assets/, compiled in (assets_data.cc is generated from them).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace tollgate::web {

struct Asset {
  std::string_view name;
  std::string_view content_type;
  std::string_view body;
};

const std::vector<Asset>& assets();

inline std::optional<Asset> asset(std::string_view name) {
  for (const auto& a : assets())
    if (a.name == name) return a;
  return std::nullopt;
}

}  // namespace tollgate::web
