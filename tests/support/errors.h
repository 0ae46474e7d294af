#pragma once

#include <functional>
#include <string>

#include "util/error.h"

namespace tollgate::testing {

// The messages of the ErrorList that f throws, one a line; "" when f throws none. A test checks
// that every problem of an input is reported, and worded as a user should read it.
inline std::string error_messages(const std::function<void()>& f) {
  try {
    f();
  } catch (const ErrorList& list) {
    std::string out;
    for (const auto& e : list.all())
      out += e.message() + "\n";
    return out;
  }
  return "";
}

// The message of the Error that f throws; "" when f throws none.
inline std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message();
  }
  return "";
}

}  // namespace tollgate::testing
