#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "budget/decimal.h"

namespace tollgate::budget {

// Seconds since the Unix epoch, UTC. Cost data has no sub-second times.
using Seconds = int64_t;

// One charge in the shape of a FOCUS row, whichever source it came from. The views point into
// the source's buffers and live only for the duration of RowSink::add.
struct CostRow {
  std::string_view provider;         // ProviderName
  std::string_view billing_account;  // BillingAccountId
  std::string_view sub_account;      // SubAccountId ("" = null)
  std::string_view service;          // ServiceName
  std::string_view region;           // RegionId ("" = null)
  std::string_view category;         // ChargeCategory: Usage, Purchase, Tax, Credit, Adjustment
  std::string_view charge_class;     // ChargeClass: "Correction" or "" (null)
  std::string_view frequency;  // ChargeFrequency: One-Time, Recurring, Usage-Based; "" unknown
  std::string_view currency;   // BillingCurrency
  std::string_view tags;       // Tags: a flat JSON object, "" = null (no tags)
  bool tags_doubled = false;   // tags still has its CSV quoting: every '"' written twice
  Decimal billed;              // BilledCost
  Decimal effective;           // EffectiveCost
  bool has_effective = true;   // false when the source only knows the invoice view
  Seconds billing_period_start = 0;  // [start, end)
  Seconds billing_period_end = 0;
  Seconds charge_period_start = 0;  // [start, end)
  Seconds charge_period_end = 0;

  bool is_correction() const { return charge_class == "Correction"; }
  bool is_usage() const { return category == "Usage"; }
  // A charge that goes on accruing for the rest of the period, so the forecast extrapolates it.
  // FOCUS says so with ChargeFrequency: Usage-Based rows run on; a One-Time row (a purchase, a
  // refund or credit even under ChargeCategory Usage) happens once; a Recurring row repeats
  // once per its charge period, so one that covers the billing period to its end (a monthly
  // fee) is already whole and one for a shorter span (an hourly reservation fee) runs on. A
  // source without ChargeFrequency falls back on ChargeCategory Usage.
  bool accrues() const {
    if (frequency == "Usage-Based") return true;
    if (frequency == "Recurring") return charge_period_end < billing_period_end;
    return frequency.empty() && is_usage();
  }
};

// Receives rows one at a time, so no source ever holds a whole bill in memory.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void add(const CostRow& row) = 0;
};

// A sink that can be split for reading parts of a source on several threads and merged back.
class SplittableSink : public RowSink {
 public:
  virtual std::unique_ptr<SplittableSink> split() const = 0;
  // Adds what `part` (made by split) collected. Parts may hold any rows of the source, in any
  // order: what a sink keeps must not depend on it (exact sums, maxima).
  virtual void merge(SplittableSink& part) = 0;
};

}  // namespace tollgate::budget
