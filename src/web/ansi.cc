#include "web/ansi.h"

#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "web/html.h"

namespace tollgate::web {
namespace {

std::vector<int> numbers(std::string_view params) {
  std::vector<int> out;
  size_t i = 0;
  while (i <= params.size()) {
    size_t end = params.find_first_of(";:", i);
    if (end == std::string_view::npos) end = params.size();
    int n = 0;
    std::from_chars(params.data() + i, params.data() + end, n);  // "" is 0, as terminals read it
    out.push_back(n);
    i = end + 1;
  }
  return out;
}

// What a terminal shows of a line: the text after its last carriage return (a progress bar
// redrawn in place), except one that ends the line (CRLF).
std::string_view visible(std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  size_t cr = text.rfind('\r');
  return cr == std::string_view::npos ? text : text.substr(cr + 1);
}

bool is_attempt(std::string_view text) {
  return text.starts_with("--- attempt ") && text.ends_with(" ---");
}

}  // namespace

void LogRenderer::apply_sgr(std::string_view params) {
  std::vector<int> n = numbers(params);
  for (size_t i = 0; i < n.size(); ++i) {
    int c = n[i];
    if (c == 0) {
      fg_ = bg_ = -1;
      bold_ = italic_ = underline_ = false;
    } else if (c == 1) {
      bold_ = true;
    } else if (c == 3) {
      italic_ = true;
    } else if (c == 4) {
      underline_ = true;
    } else if (c == 22) {
      bold_ = false;
    } else if (c == 23) {
      italic_ = false;
    } else if (c == 24) {
      underline_ = false;
    } else if (c >= 30 && c <= 37) {
      fg_ = c - 30;
    } else if (c >= 90 && c <= 97) {
      fg_ = c - 90 + 8;
    } else if (c == 39) {
      fg_ = -1;
    } else if (c >= 40 && c <= 47) {
      bg_ = c - 40;
    } else if (c >= 100 && c <= 107) {
      bg_ = c - 100 + 8;
    } else if (c == 49) {
      bg_ = -1;
    } else if ((c == 38 || c == 48) && i + 1 < n.size()) {
      // 256 colours: the first 16 are the named ones; other colours and 24-bit ones are
      // shown in the default colour rather than guessed.
      int* target = c == 38 ? &fg_ : &bg_;
      if (n[i + 1] == 5 && i + 2 < n.size()) {
        *target = n[i + 2] < 16 ? n[i + 2] : -1;
        i += 2;
      } else if (n[i + 1] == 2) {
        *target = -1;
        i += 4;
      }
    }
  }
}

std::string LogRenderer::open_span() const {
  std::string classes;
  auto add = [&](const std::string& c) { classes += (classes.empty() ? "" : " ") + c; };
  if (fg_ >= 0) add(fmt::format("fg{}", fg_));
  if (bg_ >= 0) add(fmt::format("bg{}", bg_));
  if (bold_) add("b");
  if (italic_) add("i");
  if (underline_) add("u");
  return classes.empty() ? "" : "<span class=\"" + classes + "\">";
}

void LogRenderer::line(std::string_view raw, std::string& out) {
  std::string_view text = visible(raw);
  const char* kind = text.starts_with("$ ") ? " cmd" : is_attempt(text) ? " attempt" : "";
  out += fmt::format("<span class=\"l{}\">", kind);
  std::string span = open_span();
  out += span;
  size_t i = 0;
  while (i < text.size()) {
    size_t esc = text.find('\x1b', i);
    str::append_xml_escaped(out, text.substr(i, esc == std::string_view::npos ? esc : esc - i));
    if (esc == std::string_view::npos) break;
    // CSI: ESC [ parameters final-byte. Only SGR ('m') shows; the rest (erase line, cursor
    // moves, GitLab's section markers) is dropped.
    size_t end = esc + 1;
    if (end < text.size() && text[end] == '[') {
      ++end;
      while (end < text.size() && !(text[end] >= 0x40 && text[end] <= 0x7e))
        ++end;
      if (end < text.size() && text[end] == 'm') {
        if (!span.empty()) out += "</span>";
        apply_sgr(text.substr(esc + 2, end - esc - 2));
        span = open_span();
        out += span;
      }
    }
    i = end + 1;
  }
  if (!span.empty()) out += "</span>";
  out += "</span>\n";
}

void LogRenderer::render(std::string_view text, std::string& out) {
  size_t i = 0;
  while (i < text.size()) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) nl = text.size();
    line(text.substr(i, nl - i), out);
    i = nl + 1;
  }
}

std::string render_log(std::string_view text) {
  std::string out;
  LogRenderer r;
  r.render(text, out);
  return out;
}

}  // namespace tollgate::web
