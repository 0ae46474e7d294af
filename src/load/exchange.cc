#include "load/exchange.h"

#include <re2/re2.h>

#include <algorithm>

#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::load {

std::vector<const Template*> templates_of(const RequestSpec& r) {
  std::vector<const Template*> out = {&r.path};
  for (const auto& [_, value] : r.headers)
    out.push_back(&value);
  if (r.has_body) out.push_back(&r.body);
  return out;
}

bool is_static(const RequestSpec& r) {
  auto all = templates_of(r);
  return std::all_of(all.begin(), all.end(), [](const Template* t) { return t->is_static(); });
}

void build_request(const Target& target, const RequestSpec& r, const VarMap& local,
                   const VarMap& global, std::string& out) {
  out.clear();
  out += r.method;
  out += ' ';
  out += target.base_path;
  r.path.render_to(out, local, global);
  out += " HTTP/1.1\r\nHost: ";
  out += target.host_header;
  out += "\r\n";
  bool has_agent = false;
  for (const auto& [name, value] : r.headers) {
    if (name.size() == 10 && str::lower(name) == "user-agent") has_agent = true;
    out += name;
    out += ": ";
    value.render_to(out, local, global);
    out += "\r\n";
  }
  if (!has_agent) out += "User-Agent: tollgate-load\r\n";
  if (r.has_body) {
    std::string body;
    r.body.render_to(body, local, global, r.json_body);
    out += "Content-Length: ";
    out += std::to_string(body.size());
    out += "\r\n\r\n";
    out += body;
  } else if (r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    out += "Content-Length: 0\r\n\r\n";
  } else {
    out += "\r\n";
  }
}

namespace {

void fail(Evaluation& e, std::string why) {
  ++e.checks_failed;
  if (e.failure.empty()) e.failure = std::move(why);
}

}  // namespace

Evaluation evaluate_response(const RequestSpec& r, const ResponseParser& response,
                             int64_t duration_us, VarMap& vars) {
  Evaluation e;
  int status = response.status();
  e.expected_status = r.check.expects_status(status);
  if (!r.check.statuses.empty()) {
    if (e.expected_status)
      ++e.checks_passed;
    else
      fail(e, "status " + std::to_string(status));
  }
  bool wants_json = !r.check.json.empty() ||
                    std::any_of(r.extract.begin(), r.extract.end(),
                                [](const Extract& x) { return x.kind == Extract::Kind::Json; });
  nlohmann::json doc;
  bool json_ok = false;
  if (wants_json) {
    doc = json_read::parse_or_discarded(response.body());
    json_ok = !doc.is_discarded();
  }
  for (const auto& c : r.check.json) {
    const nlohmann::json* v = json_ok ? c.path.find(doc) : nullptr;
    if (!v) {
      fail(e, json_ok ? c.path.text() + " missing" : "body is not JSON");
    } else if (!c.exists_only && *v != c.equals &&
               !(c.equals.is_string() && json_value_text(*v) == c.equals.get<std::string>())) {
      fail(e, c.path.text() + " is " + v->dump() + ", expected " + c.equals.dump());
    } else {
      ++e.checks_passed;
    }
  }
  for (const auto& needle : r.check.body_contains) {
    if (response.body().find(needle) != std::string::npos)
      ++e.checks_passed;
    else
      fail(e, "body lacks '" + needle + "'");
  }
  if (r.check.max_duration_us) {
    if (duration_us <= r.check.max_duration_us)
      ++e.checks_passed;
    else
      fail(e, "took " + std::to_string(duration_us / 1000) + " ms");
  }
  for (const auto& x : r.extract) {
    std::string value;
    bool found = false;
    switch (x.kind) {
      case Extract::Kind::Json:
        if (const nlohmann::json* v = json_ok ? x.path.find(doc) : nullptr) {
          value = json_value_text(*v);
          found = true;
        }
        break;
      case Extract::Kind::Header: {
        std::string_view h = response.header(x.header);
        found = !h.empty();
        value = std::string(h);
        break;
      }
      case Extract::Kind::Regex: {
        // With a capture group the group is the value, else the whole match.
        re2::StringPiece match[2];
        int groups = x.regex->NumberOfCapturingGroups();
        const std::string& body = response.body();
        if (x.regex->Match(body, 0, body.size(), re2::RE2::UNANCHORED, match, groups + 1)) {
          found = true;
          value = std::string(match[groups]);
        }
        break;
      }
    }
    if (found) {
      vars[x.var] = std::move(value);
    } else {
      e.extracted = false;
      fail(e, "could not extract " + x.var);
    }
  }
  return e;
}

}  // namespace tollgate::load
