#!/usr/bin/env python3
"""Writes a FOCUS 1.2-shaped CSV of about SIZE_MB megabytes for the budget benchmark.

November 2026, one row per (day, account, service, region, resource), three providers, USD and
EUR, quoted JSON tags with escaped quotes, credits and a tax row per account, so the file reads
like a real export. Rows are rendered once per day from templates and written in large blocks,
so generation runs at disk speed. Usage: budget_gen_focus.py OUT.csv SIZE_MB
"""
import random
import sys

HEADER = ("BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,"
          "BilledCost,EffectiveCost,ListCost,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,"
          "ChargePeriodStart,ChargePeriodEnd,ProviderName,PublisherName,InvoiceIssuerName,RegionId,"
          "ServiceCategory,ServiceName,SubAccountId,SubAccountName,ResourceId,Tags\n")

PROVIDERS = [
    ("AWS", "USD", ["us-east-1", "us-west-2", "eu-west-1"],
     ["Amazon Elastic Compute Cloud", "Amazon Simple Storage Service", "Amazon Relational Database Service",
      "AWS Lambda", "Amazon CloudFront", "Amazon DynamoDB", "Amazon Elastic Kubernetes Service"]),
    ("Microsoft", "EUR", ["westeurope", "northeurope"],
     ["Virtual Machines", "Storage", "Azure SQL Database", "Azure Kubernetes Service"]),
    ("Google Cloud", "USD", ["europe-west1", "us-central1"],
     ["Compute Engine", "Cloud Storage", "BigQuery", "Cloud Run"]),
]
ENVS = ["prod", "staging", "dev", "Prod"]  # "Prod" is the tag case trap


def main():
    out, size_mb = sys.argv[1], int(sys.argv[2])
    target = size_mb * 1024 * 1024
    rnd = random.Random(42)
    templates = []
    for p_index, (provider, currency, regions, services) in enumerate(PROVIDERS):
        for account in range(40):
            billing = "%s-%d" % (provider[:3].lower(), p_index)
            sub = "%012d" % (100000000000 + p_index * 1000 + account)
            for service in services:
                for region in regions:
                    env = ENVS[rnd.randrange(len(ENVS))]
                    tags = '"{""env"":""%s"",""team"":""team-%d"",""cost-center"":""cc-%d"",""note"":""a \\""quoted\\"" value""}"' % (
                        env, account % 12, rnd.randrange(1000))
                    if rnd.random() < 0.1:
                        tags = ""  # untagged
                    templates.append((billing, currency, provider, region, service, sub, tags))
    written = 0
    with open(out, "w", buffering=16 * 1024 * 1024) as f:
        f.write(HEADER)
        day = 0
        while written < target:
            d = day % 30 + 1
            start = "2026-11-%02dT00:00:00Z" % d
            end = "2026-11-%02dT00:00:00Z" % (d + 1) if d < 30 else "2026-12-01T00:00:00Z"
            block = []
            for i, (billing, currency, provider, region, service, sub, tags) in enumerate(templates):
                cost = "%d.%010d" % (rnd.randrange(50), rnd.randrange(10 ** 10))
                category = "Usage" if i % 97 else "Credit"
                if category == "Credit":
                    cost = "-" + cost
                block.append(
                    "%s,Acme,%s,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,%s,%s,%s,%s,,\"%s, on demand\",Usage-Based,"
                    "%s,%s,%s,%s,%s,%s,Compute,%s,%s,acct-%s,i-%08x,%s\n"
                    % (billing, currency, cost, cost, cost, category, service, start, end, provider, provider,
                       provider, region, service, sub, sub[-4:], i, tags))
            text = "".join(block)
            f.write(text)
            written += len(text)
            day += 1


if __name__ == "__main__":
    main()
