#pragma once

#include <optional>
#include <string>

#include "util/yaml.h"

namespace tollgate::runner {

// A setting and where it was set ("--executor", "$TOLLGATE_EXECUTOR", ".tollgate/config:3:11"),
// for messages that say which one to change.
struct Setting {
  std::string value;
  std::string where;
};

// The flag's value when given, else the environment variable's, else the project's
// .tollgate/config key: nullopt when none sets it.
std::optional<Setting> setting_from(const std::string& flag, const std::string& flag_name,
                                    const char* env_name, const yaml::Node& config,
                                    const char* config_key);

// The project's .tollgate/config (state_dir/config), a mapping of settings, or null when there
// is none.
yaml::Node load_config(const std::string& state_dir);

}  // namespace tollgate::runner
