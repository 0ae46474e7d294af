// The few pieces every page is made of. All text that reaches a page goes through escape():
// job logs, findings, file and job names are untrusted (a job may print "<script>").
#pragma once

#include <string>
#include <string_view>

#include "util/strings.h"

namespace tollgate::web {

// Text for an HTML element or a quoted attribute value (& < > " ' as references): the
// project's one escaping, str::xml_escape. A job name in a URL goes through str::url_encode.
inline std::string escape(std::string_view text) {
  return str::xml_escape(text);
}

// The dashboard's navigation targets; the page given is shown as the current one.
enum class Section { Pipelines, Security, Budget, Performance, Environments };

// A whole document: head (the embedded stylesheet and, when `script` is set, the embedded
// script; nothing inline, as the Content-Security-Policy allows), navigation, then `body`.
std::string page(std::string_view title, Section section, std::string_view body,
                 bool script = false);

// A status as GitLab shows it: a coloured badge with the word, e.g. success, failed, running.
std::string status_badge(std::string_view status);

// "4.2 s", "3 min 5 s", "1 h 2 min"; "" for a negative or zero duration.
std::string duration_text(double seconds);

}  // namespace tollgate::web
