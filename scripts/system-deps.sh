#!/usr/bin/env bash
# Install the Debian packages the build (`build`), the tests (`test`) or `make check-fresh`
# (`fresh`) need, on Debian 12 or 13. As root on Debian it installs what is missing; otherwise it names what to install.
# `--list build|test|bootstrap` prints a list, one package a line: the hosted builds
# (.github/workflows/handbook.yml, .readthedocs.yaml) and `make check-fresh` read these
# lists, and tests/test_system_deps.py fails when a copy drifts from them.
set -euo pipefail

# What a fresh machine needs before the first `make`: to clone the sources and run make.
bootstrap=(git make python3 ca-certificates)
# WeasyPrint: Pango, and HarfBuzz-Subset to embed font subsets (without it WeasyPrint warns
# and the PDF build fails). DejaVu Sans Mono sets code in the PDF. liblouis (library, tables,
# tools): the braille edition.
build=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core liblouis20 liblouis-data liblouis-bin git)
# chromium for the browser tests and DAISY Ace, Java for EPUBCheck and the Nu checker,
# poppler-utils to look at PDF pages, npm for axe-core, vnu-jar and Ace; libatomic1 for the
# Node.js that Playwright bundles as its driver (it will not start without libatomic.so.1).
test=(chromium default-jre-headless poppler-utils nodejs npm libatomic1)
# `make check-fresh` makes minimal Debian 12 and 13 systems (the keyring has both releases' keys).
fresh=(mmdebstrap debian-archive-keyring)

usage() { echo "usage: $0 build|test|fresh, or $0 --list build|test|fresh|bootstrap" >&2; exit 2; }

if [ "${1:-}" = --list ]; then
  case "${2:-}" in
    build) printf '%s\n' "${build[@]}" ;;
    test) printf '%s\n' "${test[@]}" ;;
    fresh) printf '%s\n' "${fresh[@]}" ;;
    bootstrap) printf '%s\n' "${bootstrap[@]}" ;;
    *) usage ;;
  esac
  exit 0
fi
case "${1:-}" in
  build) packages=("${build[@]}") ;;
  test) packages=("${test[@]}") ;;
  fresh) packages=("${fresh[@]}") ;;
  *) usage ;;
esac

if ! command -v dpkg-query >/dev/null; then
  echo "Not a Debian system: the system packages are not checked. Make sure you have the" \
    "equivalents of: ${packages[*]} (README.md, Supported systems)" >&2
  exit 0
fi

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
