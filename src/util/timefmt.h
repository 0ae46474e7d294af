#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::timefmt {

using Clock = std::chrono::system_clock;

// ISO 8601 UTC with milliseconds: 2026-11-26T18:29:47.123Z
std::string iso8601(Clock::time_point t);
// Parses ISO 8601 / RFC 3339 timestamps (Z or +hh:mm offsets, optional fraction) and plain
// dates (YYYY-MM-DD, midnight UTC); nullopt when malformed.
std::optional<Clock::time_point> parse_iso8601(std::string_view s);

// Parses a duration the way GitLab's `timeout` reads it and the way CLI flags are written:
// "90", "90s", "1h 30m", "3 hours 30 minutes", "1.5h", "500ms", "2 days". A bare number is seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s);
// A duration as Go's time.ParseDuration reads it, which is how gitlab-runner reads its timeout
// variables: an optional sign, then number-unit pairs with no spaces ("1h30m", "1.5s", "300ms";
// units ns, us, µs, ms, s, m, h); "0" alone needs no unit. nullopt when malformed. Below a
// millisecond is rounded down.
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view s);
// 0.4s, 12.3s, 3m05s, 1h02m
std::string format_duration(double seconds);

}  // namespace tollgate::timefmt
