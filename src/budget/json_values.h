#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "budget/cost_row.h"
#include "budget/decimal.h"

namespace tollgate::budget {

// An amount from JSON: a string ("12.5", as AWS writes amounts) parses exactly; a number is
// read back through its shortest round-trip text, which is the decimal the server printed
// whenever it printed 17 significant digits or fewer. nullopt for null and anything else.
std::optional<Decimal> json_decimal(const nlohmann::json& value);

// The first second of the calendar month holding t, and of the month after.
Seconds month_start(Seconds t);
Seconds next_month_start(Seconds t);

}  // namespace tollgate::budget
