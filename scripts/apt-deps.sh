#!/usr/bin/env bash
# Debian packages the code-server integration harness needs:
#   chromium         - the browser Playwright drives (Electron/VS Code downloads are blocked offline)
#   build-essential, python3 - node-gyp builds code-server's native modules against Node 24 headers
#   libkrb5-dev      - headers for the kerberos native module code-server depends on
#   python3-locust   - the Locust export test runs the generated locustfile (test/unit/export/)
#   python3-pyflakes - the same tests lint every generated locustfile
# Installs only what is missing, so it is cheap to call on every CI run.
set -euo pipefail

pkgs=(chromium build-essential python3 libkrb5-dev python3-locust python3-pyflakes)
missing=()
for p in "${pkgs[@]}"; do
  # dpkg-query's status is the reliable "is it installed" check (dpkg -l also lists removed packages)
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "apt-deps: all present (${pkgs[*]})"
  exit 0
fi

echo "apt-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi  # -n: never prompt (CI has no stdin)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
