#!/usr/bin/env python3
"""Checks a SARIF log (stdin or the files named) against the SARIF 2.1.0 JSON schema and the
rules GitHub code scanning applies when it ingests one. Prints every problem; exit 1 if any."""
import json
import os
import re
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
# RFC 3986 URI-reference characters: unreserved, reserved, and percent-encoded octets only.
URI_REFERENCE = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


def github_problems(log):
    problems = []
    for run in log.get("runs", []):
        invocations = run.get("invocations", [])
        if not invocations or "executionSuccessful" not in invocations[0]:
            problems.append("runs[].invocations[0].executionSuccessful is missing")
        elif not invocations[0]["executionSuccessful"] and not invocations[0].get(
                "toolExecutionNotifications"):
            problems.append("executionSuccessful is false without toolExecutionNotifications")
        rules = run["tool"]["driver"].get("rules", [])
        for rule in rules:
            for path in (("shortDescription", "text"), ("fullDescription", "text"),
                         ("help", "text"), ("help", "markdown")):
                if not rule.get(path[0], {}).get(path[1]):
                    problems.append(f"rule {rule['id']}: no {'.'.join(path)}")
            props = rule.get("properties", {})
            if "security-severity" in props and "security" not in props.get("tags", []):
                problems.append(f"rule {rule['id']}: security-severity without the security tag")
        for i, result in enumerate(run.get("results", [])):
            where = f"results[{i}] ({result.get('ruleId')})"
            if not result.get("partialFingerprints"):
                problems.append(f"{where}: no partialFingerprints")
            if not result.get("locations"):
                problems.append(f"{where}: no locations")
            for loc in result.get("locations", []):
                physical = loc.get("physicalLocation")
                if physical is None and not loc.get("logicalLocations"):
                    problems.append(f"{where}: a location that is neither physical nor logical")
                    continue
                if physical is None:
                    continue
                artifact = physical.get("artifactLocation", {})
                uri = artifact.get("uri", "")
                if not uri or not URI_REFERENCE.match(uri):
                    problems.append(f"{where}: uri {uri!r} is not a URI reference")
                if uri.startswith("/"):
                    problems.append(f"{where}: uri {uri!r} is an absolute host path")
                if "uriBaseId" in artifact and artifact["uriBaseId"] != "%SRCROOT%":
                    problems.append(f"{where}: uriBaseId {artifact['uriBaseId']!r}")
                region = physical.get("region")
                if region is not None and region.get("startLine", 0) < 1:
                    problems.append(f"{where}: region without startLine")
    return problems


def main():
    with open(os.path.join(HERE, "sarif-schema-2.1.0.json")) as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    texts = [(name, open(name).read()) for name in sys.argv[1:]] or [("<stdin>", sys.stdin.read())]
    failed = False
    for name, text in texts:
        log = json.loads(text)
        problems = [f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message}"
                    for e in validator.iter_errors(log)]
        problems += github_problems(log)
        for p in problems:
            print(f"{name}: {p}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
