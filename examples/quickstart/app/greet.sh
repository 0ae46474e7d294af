#!/usr/bin/env bash
# The quickstart's "application": greets whoever is named.
set -euo pipefail
echo "Hello, ${1:-world}!"
