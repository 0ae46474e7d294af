#pragma once

#include <string>
#include <vector>

#include "posture/k8s.h"

namespace tollgate::posture {

// Everything read from the command line's inputs. Objects and plans point into the parsed
// trees, whose nodes never move.
struct Inputs {
  std::vector<yaml_parse::Tree> trees;
  std::vector<Object> objects;
  std::vector<const Node*> plans;  // Terraform plan JSON documents
  std::vector<std::string> files;  // every file read, in order
  size_t skipped_documents = 0;    // neither a Kubernetes object nor a plan (e.g. Helm values)
  size_t lists = 0;                // List documents, which may legitimately be empty
};

// Reads YAML (multi-document) and JSON files, directories (walked for *.yaml, *.yml, *.json,
// skipping hidden directories) and "-" for stdin. A file named on the command line must hold
// at least one object or plan; files found by walking a directory may hold none. Throws Error
// with file:line:col for input that is not YAML/JSON or is not a valid object.
Inputs read_inputs(const std::vector<std::string>& paths);

// Adds the documents of one stream (already read) to inputs; exposed for tests and stdin.
// Returns how many objects and plans it found.
size_t add_stream(Inputs& inputs, std::string text, const std::string& file);

}  // namespace tollgate::posture
