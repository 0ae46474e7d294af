// Job logs as HTML: ANSI colours (SGR) become classes, the `$ command` echo lines and the
// `--- attempt N of M ---` separators get their own marks, and everything else is escaped text.
#pragma once

#include <string>
#include <string_view>

namespace tollgate::web {

// Renders log text line by line. It keeps the colour state across lines, as a terminal does,
// and across calls, so a live log can be rendered in the pieces it arrives in (whole lines).
class LogRenderer {
 public:
  // Appends the HTML of `text`'s lines to out. A last line without '\n' is rendered too.
  void render(std::string_view text, std::string& out);

 private:
  void line(std::string_view text, std::string& out);
  void apply_sgr(std::string_view params);
  std::string open_span() const;

  int fg_ = -1;  // 0-15, -1 the default
  int bg_ = -1;
  bool bold_ = false;
  bool italic_ = false;
  bool underline_ = false;
};

std::string render_log(std::string_view text);

}  // namespace tollgate::web
