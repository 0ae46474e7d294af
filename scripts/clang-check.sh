#!/usr/bin/env bash
# DESIGN.md: clang++ 14 must build tollgate as well as g++ 12. This compiles every translation unit
# of the build (from its compile_commands.json) with clang++ -fsyntax-only and the same flags, so
# that a construct only g++ accepts is caught without a second full build (3.5 min on 2 cores).
# usage: scripts/clang-check.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
clang=${CLANG:-$(command -v clang++-14 || command -v clang++ || true)}
[[ -n "$clang" ]] || { echo "clang-check: no clang++ installed (apt-get install clang-14)" >&2; exit 2; }
[[ -f "$build/compile_commands.json" ]] || { echo "clang-check: no $build/compile_commands.json: build first" >&2; exit 2; }
python3 - "$build/compile_commands.json" "$clang" <<'PY' | xargs -0 -P "$(nproc)" -n 1 bash -c 'eval "$1"' _
import json, shlex, sys
entries = json.load(open(sys.argv[1]))
for e in entries:
    args = shlex.split(e["command"])
    args = [a for a in args if not a.endswith("ccache")]
    out, skip = [sys.argv[2]], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a in ("-o", "-MT", "-MF"):
            skip = True
        elif a not in ("-MD", "-c") and not a.startswith("-Wno-restrict"):
            out.append(a)
    out.append("-fsyntax-only")
    cmd = "cd %s && %s" % (shlex.quote(e["directory"]), " ".join(shlex.quote(a) for a in out))
    sys.stdout.write(cmd + "\0")
PY
echo "clang-check: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$build/compile_commands.json") files compile with $("$clang" --version | head -1)"
