#include "runner/settings.h"

#include <cstdlib>
#include <filesystem>

#include "util/error.h"

namespace tollgate::runner {

std::optional<Setting> setting_from(const std::string& flag, const std::string& flag_name,
                                    const char* env_name, const yaml::Node& config,
                                    const char* config_key) {
  if (!flag.empty()) return Setting{flag, flag_name};
  if (const char* env = std::getenv(env_name); env && *env)
    return Setting{env, std::string("$") + env_name};
  if (const yaml::Node* v = config.is_mapping() ? config.find(config_key) : nullptr)
    return Setting{v->as_string(std::string(config_key) + " setting"), v->where.str()};
  return std::nullopt;
}

yaml::Node load_config(const std::string& state_dir) {
  std::string path = (std::filesystem::path(state_dir) / "config").string();
  if (!std::filesystem::exists(path)) return {};
  yaml::Node root = yaml::load_file(path);
  if (!root.is_null() && !root.is_mapping())
    throw Error(root.where, "the config file holds settings as 'name: value' lines");
  return root;
}

}  // namespace tollgate::runner
