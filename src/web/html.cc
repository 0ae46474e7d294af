#include "web/html.h"

#include <fmt/format.h>

#include <cmath>

namespace tollgate::web {

namespace {

struct NavItem {
  Section section;
  const char* href;
  const char* label;
};
constexpr NavItem kNav[] = {
    {Section::Pipelines, "/", "Pipelines"},
    {Section::Security, "/security", "Security"},
    {Section::Budget, "/budget", "Budget"},
    {Section::Performance, "/performance", "Performance"},
    {Section::Environments, "/environments", "Environments"},
};

}  // namespace

std::string page(std::string_view title, Section section, std::string_view body, bool script) {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{} · tollgate</title><link rel=\"stylesheet\" href=\"/assets/style.css\">",
      escape(title));
  if (script) out += "<script src=\"/assets/live.js\" defer></script>";
  out += "</head><body><header><a class=\"brand\" href=\"/\">tollgate</a><nav>";
  for (const auto& item : kNav)
    out += fmt::format("<a href=\"{}\"{}>{}</a>", item.href,
                       item.section == section ? " aria-current=\"page\"" : "", item.label);
  out += "</nav></header><main>";
  out += body;
  out += "</main></body></html>\n";
  return out;
}

std::string status_badge(std::string_view status) {
  std::string s = escape(status.empty() ? "unknown" : status);
  return fmt::format("<span class=\"status status-{0}\" data-status=\"{0}\">{0}</span>", s);
}

std::string duration_text(double seconds) {
  if (!(seconds > 0)) return "";
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  auto total = static_cast<long long>(std::llround(seconds));
  if (total < 3600) return fmt::format("{} min {} s", total / 60, total % 60);
  return fmt::format("{} h {} min", total / 3600, total % 3600 / 60);
}

}  // namespace tollgate::web
