#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "budget/cost_row.h"

namespace tollgate::budget {

// The FOCUS columns a scope or a breakdown can name.
enum class Dimension { Provider, BillingAccount, SubAccount, Service, Region, Category, Tag };

std::string_view dimension_name(Dimension d);  // "sub-account"
std::string_view focus_column(Dimension d);    // "SubAccountId"
// The row's value for a dimension other than Tag ("" = null).
std::string_view field(const CostRow& row, Dimension d);

struct ScopeTerm {
  Dimension dimension = Dimension::Provider;
  std::string tag_key;  // for Tag
  std::string value;
  bool any_value = false;  // "tag:env": the tag is there, whatever its value
  bool untagged = false;   // "untagged:env": the tag is not there
};

// Which rows a budget covers: terms joined by ',' that must all hold, e.g.
// "provider:AWS,tag:env=staging,untagged:team". Values compare exactly, case included;
// "\," writes a comma inside a value. The empty scope covers every row.
class Scope {
 public:
  // Throws UsageError naming the bad term and, for a misspelt key, the likely one.
  static Scope parse(std::string_view text);

  bool matches(const CostRow& row) const;
  bool uses(Dimension d) const;
  const std::string& text() const { return text_; }
  const std::vector<ScopeTerm>& terms() const { return terms_; }

 private:
  std::string text_;
  std::vector<ScopeTerm> terms_;
};

// A breakdown: "service", "sub-account,tag:team". A row's group key joins its values with " / ";
// a null value shows as "(none)" and a missing tag as "(untagged)".
class GroupBy {
 public:
  static GroupBy parse(std::string_view text);

  bool empty() const { return keys_.empty(); }
  bool uses(Dimension d) const;
  const std::string& text() const { return text_; }
  // Writes the row's group key into out (reused, so the hot loop does not allocate).
  void key(const CostRow& row, std::string& out) const;

 private:
  struct Key {
    Dimension dimension;
    std::string tag_key;
  };
  std::string text_;
  std::vector<Key> keys_;
};

}  // namespace tollgate::budget
