#include "budget/json_values.h"

#include <fmt/format.h>

#include <ctime>

#include "util/error.h"

namespace tollgate::budget {

std::optional<Decimal> json_decimal(const nlohmann::json& value) {
  if (value.is_string()) return Decimal::parse(value.get<std::string>());
  if (value.is_number_integer()) return Decimal::parse(value.dump());
  if (value.is_number_float()) {
    double d = value.get<double>();
    return Decimal::parse(fmt::format("{}", d));
  }
  return std::nullopt;
}

namespace {
Seconds month_of(Seconds t, int offset) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  tm.tm_mday = 1;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_mon += offset;
  return static_cast<Seconds>(timegm(&tm));
}
}  // namespace

Seconds month_start(Seconds t) {
  return month_of(t, 0);
}

Seconds next_month_start(Seconds t) {
  return month_of(t, 1);
}

}  // namespace tollgate::budget
