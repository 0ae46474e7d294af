#pragma once

#include <cstdint>
#include <string>

#include "load/http_response.h"
#include "load/scenario.h"

// One request/response exchange of a journey: the bytes to send and what the answer means.
namespace tollgate::load {

// Renders the whole HTTP/1.1 request (request line, headers, body) into out.
void build_request(const Target& target, const RequestSpec& r, const VarMap& local,
                   const VarMap& global, std::string& out);
// Every template of a request: path, header values and body.
std::vector<const Template*> templates_of(const RequestSpec& r);
// A request whose bytes never change (no ${...} anywhere) is rendered once per run.
bool is_static(const RequestSpec& r);

struct Evaluation {
  bool expected_status = true;  // false: the request counts as failed (http_req_failed)
  uint32_t checks_passed = 0;
  uint32_t checks_failed = 0;
  bool extracted = true;  // false: a variable could not be extracted; the journey stops
  std::string failure;    // the first failed assertion, for the report
};

// Judges a response against the request's checks and stores extracted variables in vars.
Evaluation evaluate_response(const RequestSpec& r, const ResponseParser& response,
                             int64_t duration_us, VarMap& vars);

}  // namespace tollgate::load
