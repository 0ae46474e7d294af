#!/usr/bin/env python3
"""Generates a zip of synthetic OSV records shaped like osv.dev's Debian/all.zip, for the scan
benchmark: DEBIAN-CVE-style records (one affected entry per release, Debian:11 and Debian:12,
source package names, introduced 0 / fixed, urgency, a CVSS vector) over the source packages of
a dpkg status file plus invented names, so that a scan finds real work on every package
(about 15 % of the records naming an installed package affect it).

usage: scan_generate_osv.py STATUS_FILE OUT.zip COUNT
"""
import json, random, sys, zipfile

status, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(42)
sources = {}
for para in open(status, encoding="utf-8", errors="replace").read().split("\n\n"):
    fields = {}
    for line in para.splitlines():
        if line and not line[0].isspace() and ":" in line:
            k, v = line.split(":", 1)
            fields[k] = v.strip()
    if "Package" not in fields or "Version" not in fields:
        continue
    src = fields.get("Source", fields["Package"])
    version = fields["Version"]
    if "(" in src:
        src, version = src.split("(", 1)
        src, version = src.strip(), version.rstrip(")").strip()
    sources[src] = version
names = sorted(sources)
vectors = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
           "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"]
urgencies = ["unimportant", "low", "medium", "high", "not yet assigned"]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(count):
        cve = "CVE-%d-%05d" % (2000 + i % 25, i)
        # One record in ten names a source package this machine has (about 45 per package, as
        # dense as Debian's own data for a busy package); the rest spread over 50,000 others.
        real = i % 10 == 0
        src = names[i % len(names)] if real else "synthetic-pkg-%d" % (i % 50000)
        installed = sources.get(src, "1.0-1")
        roll = random.random()
        if roll < 0.85:
            fixed = "0.1-1"  # long fixed: not affected
        elif roll < 0.92:
            fixed = installed + "+deb12u99"  # fixed after the installed version: affected
        else:
            fixed = None  # open in the tracker
        affected = []
        for rel in ("11", "12"):
            events = [{"introduced": "0"}] + ([{"fixed": fixed}] if fixed else [])
            affected.append({"package": {"ecosystem": "Debian:" + rel, "name": src,
                                         "purl": "pkg:deb/debian/%s?arch=source" % src},
                             "ranges": [{"type": "ECOSYSTEM", "events": events}],
                             "ecosystem_specific": {"urgency": random.choice(urgencies)}})
        record = {"schema_version": "1.7.0", "id": "DEBIAN-" + cve, "modified": "2026-01-01T00:00:00Z",
                  "published": "2025-01-01T00:00:00Z", "upstream": [cve],
                  "details": "Synthetic benchmark record %d for %s." % (i, src),
                  "severity": [{"type": "CVSS_V3", "score": random.choice(vectors)}],
                  "affected": affected,
                  "references": [{"type": "ADVISORY", "url": "https://security-tracker.debian.org/tracker/" + cve}]}
        z.writestr("DEBIAN-%s.json" % cve, json.dumps(record))
print(len(names), "source packages;", count, "records")
