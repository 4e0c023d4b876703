#!/usr/bin/env bash
# Install the Debian packages the build (`build`) or the tests (`test`) need.
# As root on Debian it installs what is missing; otherwise it names what to install.
set -euo pipefail

case "${1:-}" in
  build) packages=(libpango-1.0-0 libpangoft2-1.0-0 git liblouis20 liblouis-data liblouis-bin) ;;
  # chromium for the browser tests and DAISY Ace, Java for EPUBCheck and the Nu checker,
  # poppler-utils to look at PDF pages, npm for axe-core, vnu-jar and Ace.
  test) packages=(chromium default-jre-headless poppler-utils nodejs npm fonts-dejavu-core) ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  # A tool already on PATH (say Node from elsewhere) counts as installed.
  case "$package" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
    default-jre-headless) command -v java >/dev/null && continue ;;
    git) command -v git >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
# Debian's python3 makes virtual environments only with python3-venv.
if [ "$1" = build ] && ! "${PYTHON:-python3}" -c "import ensurepip" 2>/dev/null; then
  missing+=(python3-venv)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
