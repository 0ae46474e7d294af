#pragma once

#include <set>
#include <string>

#include "budget/source.h"

namespace tollgate::budget {

// AWS Cost Explorer GetCostAndUsage output saved as JSON (aws ce get-cost-and-usage ...):
// UnblendedCost is the billed view, AmortizedCost the effective one; amounts are strings and
// are parsed exactly; TAG groups "key$value" become tags ("key$" = untagged); SERVICE,
// LINKED_ACCOUNT, REGION and RECORD_TYPE groups fill those columns. Periods end exclusive.
long read_aws_ce(const std::string& path, const std::set<Dimension>& needed, RowSink& sink);

// The CloudHealth Reporting API: GET URL with "Authorization: Bearer $CLOUDHEALTH_API_KEY",
// a monthly report with a time dimension. "Total" members are skipped (they would double
// count), null cells mean no data and are skipped, never read as zero.
long read_cloudhealth(const std::string& url, const SourceOptions& options,
                      const std::set<Dimension>& needed, RowSink& sink);

// The OpenCost /allocation API (accumulate=false, a step per day or the whole window): each
// allocation's totalCost, its window as the charge period, labels as tags. __idle__ and
// __unallocated__ are real spend and are kept, under their own names.
long read_opencost(const std::string& url, const SourceOptions& options,
                   const std::set<Dimension>& needed, RowSink& sink);

}  // namespace tollgate::budget
