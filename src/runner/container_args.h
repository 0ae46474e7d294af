#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/model.h"
#include "runner/engine.h"

namespace tollgate::runner {

// The pieces of an engine's `run` command line that job and service containers share.

// Adds `--env` arguments for the variables and returns the environment for the engine's client
// that carries their values (see steers_engine_client in the .cc for the few that go on the
// command line instead).
std::vector<std::string> pass_variables(
    const std::vector<std::pair<std::string, std::string>>& variables,
    std::vector<std::string>& args);

void add_labels(const std::vector<std::pair<std::string, std::string>>& labels,
                std::vector<std::string>& args);

// An entrypoint list as the CLI takes it: the first element as --entrypoint, the rest in front
// of the command (docker's --entrypoint takes one string; podman's the same form works).
void add_entrypoint(const pipeline::Image& image, std::vector<std::string>& args,
                    std::vector<std::string>& command);

// Makes sure the image is in the engine's store as its pull policy says; throws Error naming
// the image with the engine's message when it cannot be had.
void ensure_image(const Engine& engine, const pipeline::Image& image,
                  const std::function<void(std::string_view)>& sink);

}  // namespace tollgate::runner
