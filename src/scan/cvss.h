#pragma once

#include <optional>
#include <string_view>

#include "verdict/verdict.h"

namespace tollgate::scan {

// The CVSS v3.0/v3.1 base score of a vector such as
// "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" (9.8), computed with the specification's
// formulas and its Roundup; nullopt when the string is not a complete v3 base vector.
std::optional<double> cvss3_base_score(std::string_view vector);

// The qualitative rating of a v3 score: 0 none (Info here), 0.1-3.9 low, 4.0-6.9 medium,
// 7.0-8.9 high, 9.0-10.0 critical.
verdict::Severity cvss3_rating(double score);

}  // namespace tollgate::scan
