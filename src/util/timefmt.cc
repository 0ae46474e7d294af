#include "util/timefmt.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "util/strings.h"

namespace tollgate::timefmt {

std::string iso8601(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::optional<Clock::time_point> parse_iso8601(std::string_view s) {
  s = str::trim(s);
  int y, mo, d, h = 0, mi = 0, sec = 0;
  int consumed = 0;
  std::string text(s);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10)
    return std::nullopt;
  size_t pos = 10;
  double frac = 0;
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    ++pos;
    int n = 0;
    if (std::sscanf(text.c_str() + pos, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 8)
      return std::nullopt;
    pos += 8;
    if (pos < text.size() && text[pos] == '.') {
      size_t start = pos;
      ++pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
        ++pos;
      frac = std::stod("0" + text.substr(start, pos - start));
    }
    if (pos < text.size()) {
      char c = text[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        int oh = 0, om = 0;
        if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2 || oh < 0 || oh > 23 ||
            om < 0 || om > 59)
          return std::nullopt;
        offset_minutes = (c == '+' ? 1 : -1) * (oh * 60 + om);
        pos += 6;
      } else {
        return std::nullopt;
      }
    }
    if (pos != text.size()) return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
      sec > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  std::time_t t = timegm(&tm);
  // The clock counts nanoseconds in 64 bits (1677-09 to 2262-04): a date outside about 1678 to
  // mid-2261 is refused, never wrapped round to another (OSV's "4048-07-01" overflowed).
  constexpr std::time_t kLimit = 9'200'000'000;  // seconds, just inside 2^63 ns
  if (t < -kLimit || t > kLimit) return std::nullopt;
  auto tp = Clock::from_time_t(t) - std::chrono::minutes(offset_minutes);
  return tp + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(frac));
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  std::string text = str::lower(str::trim(s));
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == ','))
      ++i;
    if (i >= text.size()) break;
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (start == i) return std::nullopt;
    double value = std::stod(text.substr(start, i - start));
    while (i < text.size() && text[i] == ' ')
      ++i;
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
      ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    double factor;
    if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs" || unit == "second" ||
        unit == "seconds")
      factor = 1000;
    else if (unit == "ms" || unit == "millisecond" || unit == "milliseconds")
      factor = 1;
    else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minute" ||
             unit == "minutes")
      factor = 60'000;
    else if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours")
      factor = 3'600'000;
    else if (unit == "d" || unit == "day" || unit == "days")
      factor = 86'400'000;
    else if (unit == "w" || unit == "week" || unit == "weeks")
      factor = 7 * 86'400'000.0;
    else
      return std::nullopt;
    total_ms += value * factor;
    any = true;
  }
  if (!any) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total_ms)));
}

std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view s) {
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  if (s == "0") return std::chrono::milliseconds(0);
  if (s.empty()) return std::nullopt;
  static const std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1e-6}, {"us", 1e-3}, {"\u00b5s", 1e-3}, {"\u03bcs", 1e-3},
      {"ms", 1},    {"s", 1e3},   {"m", 6e4},        {"h", 3.6e6}};
  double total_ms = 0;
  while (!s.empty()) {
    size_t digits = 0;
    while (digits < s.size() &&
           (std::isdigit(static_cast<unsigned char>(s[digits])) || s[digits] == '.'))
      ++digits;
    std::string number(s.substr(0, digits));
    if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1)
      return std::nullopt;
    s.remove_prefix(digits);
    const std::pair<std::string_view, double>* unit = nullptr;
    for (const auto& u : kUnits)  // the longest unit that matches: "ms" before "m"
      if (s.starts_with(u.first) && (!unit || u.first.size() > unit->first.size())) unit = &u;
    if (!unit) return std::nullopt;
    s.remove_prefix(unit->first.size());
    total_ms += std::stod(number) * unit->second;
  }
  if (total_ms > 9.2e15) return std::nullopt;  // past Go's int64 nanoseconds
  auto ms = std::chrono::milliseconds(static_cast<long long>(total_ms));
  return negative ? -ms : ms;
}

std::string format_duration(double seconds) {
  char buf[32];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%dms", static_cast<int>(seconds * 1000 + 0.5));
  } else if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else if (seconds < 3600) {
    int s = static_cast<int>(seconds);
    std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
  } else {
    int s = static_cast<int>(seconds);
    std::snprintf(buf, sizeof buf, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

}  // namespace tollgate::timefmt
