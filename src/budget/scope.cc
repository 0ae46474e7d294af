#include "budget/scope.h"

#include <algorithm>

#include "budget/tags.h"
#include "util/error.h"
#include "util/strings.h"

namespace tollgate::budget {
namespace {

constexpr const char* kKeys[] = {"provider", "billing-account", "sub-account", "service",
                                 "region",   "category",        "tag",         "untagged"};

std::vector<std::string> key_names() {
  return {std::begin(kKeys), std::end(kKeys)};
}

// Splits on ',' but not on "\,", which stands for a comma inside a value.
std::vector<std::string> split_terms(std::string_view text) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == ',') {
      out.back() += ',';
      ++i;
    } else if (text[i] == ',') {
      out.emplace_back();
    } else {
      out.back() += text[i];
    }
  }
  return out;
}

Dimension parse_dimension(std::string_view key, std::string_view term, std::string_view what) {
  static const std::pair<std::string_view, Dimension> kMap[] = {
      {"provider", Dimension::Provider},
      {"billing-account", Dimension::BillingAccount},
      {"sub-account", Dimension::SubAccount},
      {"service", Dimension::Service},
      {"region", Dimension::Region},
      {"category", Dimension::Category},
      {"tag", Dimension::Tag}};
  for (const auto& [name, d] : kMap)
    if (key == name) return d;
  std::string hint = str::closest(key, key_names());
  throw UsageError(std::string(what) + " term '" + std::string(term) + "': unknown key '" +
                   std::string(key) + "'" +
                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                   "; keys: " + str::join(key_names(), ", "));
}

bool tag_matches(const ScopeTerm& t, const CostRow& row) {
  auto value = parsed_tags(row.tags, row.tags_doubled).find(t.tag_key);
  if (t.untagged) return !value;
  if (!value) return false;
  return t.any_value || *value == t.value;
}

}  // namespace

std::string_view dimension_name(Dimension d) {
  switch (d) {
    case Dimension::Provider:
      return "provider";
    case Dimension::BillingAccount:
      return "billing-account";
    case Dimension::SubAccount:
      return "sub-account";
    case Dimension::Service:
      return "service";
    case Dimension::Region:
      return "region";
    case Dimension::Category:
      return "category";
    case Dimension::Tag:
      return "tag";
  }
  return "?";
}

std::string_view focus_column(Dimension d) {
  switch (d) {
    case Dimension::Provider:
      return "ProviderName";
    case Dimension::BillingAccount:
      return "BillingAccountId";
    case Dimension::SubAccount:
      return "SubAccountId";
    case Dimension::Service:
      return "ServiceName";
    case Dimension::Region:
      return "RegionId";
    case Dimension::Category:
      return "ChargeCategory";
    case Dimension::Tag:
      return "Tags";
  }
  return "?";
}

std::string_view field(const CostRow& row, Dimension d) {
  switch (d) {
    case Dimension::Provider:
      return row.provider;
    case Dimension::BillingAccount:
      return row.billing_account;
    case Dimension::SubAccount:
      return row.sub_account;
    case Dimension::Service:
      return row.service;
    case Dimension::Region:
      return row.region;
    case Dimension::Category:
      return row.category;
    case Dimension::Tag:
      return row.tags;
  }
  return {};
}

Scope Scope::parse(std::string_view text) {
  Scope scope;
  scope.text_ = std::string(str::trim(text));
  if (scope.text_.empty()) return scope;
  for (const std::string& raw : split_terms(scope.text_)) {
    std::string term(str::trim(raw));
    size_t colon = term.find(':');
    if (term.empty()) throw UsageError("scope '" + scope.text_ + "': an empty term (two commas?)");
    if (colon == std::string::npos)
      throw UsageError("scope term '" + term + "': write KEY:VALUE, e.g. service:" + term +
                       " or tag:env=staging");
    std::string key = term.substr(0, colon), value = term.substr(colon + 1);
    if (value.empty()) throw UsageError("scope term '" + term + "': the value is empty");
    ScopeTerm t;
    if (key == "untagged") {
      t.dimension = Dimension::Tag;
      t.untagged = true;
      t.tag_key = value;
    } else {
      t.dimension = parse_dimension(key, term, "scope");
      if (t.dimension == Dimension::Tag) {
        size_t eq = value.find('=');
        t.tag_key = value.substr(0, eq);
        if (t.tag_key.empty()) throw UsageError("scope term '" + term + "': the tag key is empty");
        if (eq == std::string::npos)
          t.any_value = true;
        else
          t.value = value.substr(eq + 1);
      } else {
        t.value = value;
      }
    }
    scope.terms_.push_back(std::move(t));
  }
  // All terms must hold, so their order is free: compare plain columns before parsing Tags.
  std::stable_partition(scope.terms_.begin(), scope.terms_.end(),
                        [](const ScopeTerm& t) { return t.dimension != Dimension::Tag; });
  return scope;
}

bool Scope::matches(const CostRow& row) const {
  for (const ScopeTerm& t : terms_) {
    if (t.dimension == Dimension::Tag) {
      if (!tag_matches(t, row)) return false;
    } else if (field(row, t.dimension) != t.value) {
      return false;
    }
  }
  return true;
}

bool Scope::uses(Dimension d) const {
  for (const ScopeTerm& t : terms_)
    if (t.dimension == d) return true;
  return false;
}

GroupBy GroupBy::parse(std::string_view text) {
  GroupBy g;
  g.text_ = std::string(str::trim(text));
  if (g.text_.empty()) return g;
  for (const std::string& raw : str::split(g.text_, ',')) {
    std::string item(str::trim(raw));
    Key k;
    if (item.rfind("tag:", 0) == 0) {
      k.dimension = Dimension::Tag;
      k.tag_key = item.substr(4);
      if (k.tag_key.empty()) throw UsageError("--group-by 'tag:': name the tag key, e.g. tag:team");
    } else {
      k.dimension = parse_dimension(item, item, "--group-by");
      if (k.dimension == Dimension::Tag)
        throw UsageError("--group-by 'tag': name the tag key, e.g. tag:team");
    }
    g.keys_.push_back(std::move(k));
  }
  return g;
}

bool GroupBy::uses(Dimension d) const {
  for (const Key& k : keys_)
    if (k.dimension == d) return true;
  return false;
}

void GroupBy::key(const CostRow& row, std::string& out) const {
  out.clear();
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (i > 0) out += " / ";
    const Key& k = keys_[i];
    if (k.dimension == Dimension::Tag) {
      auto value = parsed_tags(row.tags, row.tags_doubled).find(k.tag_key);
      out += value ? *value : std::string_view("(untagged)");
    } else {
      std::string_view v = field(row, k.dimension);
      out += v.empty() ? "(none)" : v;
    }
  }
}

}  // namespace tollgate::budget
