#!/usr/bin/env bash
# `make check-fresh`: do the README's commands work on a fresh Debian machine?
#
# For each release named (bookworm, trixie), as root: mmdebstrap a minimal Debian (minbase
# with only system-deps.sh's `bootstrap` list) into FRESH_DIR/RELEASE, clone the sources at
# HEAD into it (committed work only: uncommitted changes are not checked), run `make` there as
# root, and check every output. With FRESH_TEST=1 it then runs `CI=true make test` there.
#
# The chroot reaches the package registries as this machine does: it gets this machine's pip
# and npm configuration, /etc/resolv.conf and CA bundle, and nothing else. Its mounts (/proc,
# /dev with a /dev/shm of its own, a tmpfs on /tmp) live in a private mount namespace, so
# they end with it even if this script is killed. The chroot is removed at the end, also
# after a failure or Ctrl-C, but never while anything is mounted under it.
#
# usage: scripts/check-fresh.sh [--repo DIR] RELEASE...
#   --repo DIR   check the commit at DIR's HEAD (default: this checkout)
# environment: FRESH_DIR (default _build/fresh), FRESH_TEST=1
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$here"
if [ "${1:-}" = --repo ]; then
  repo="$(cd "$2" && pwd)"
  shift 2
fi
[ $# -gt 0 ] || { echo "usage: $0 [--repo DIR] RELEASE... (say: bookworm trixie)" >&2; exit 2; }
fresh_dir="$(realpath -m "${FRESH_DIR:-$here/_build/fresh}")"

say() { echo "check-fresh: $*"; }
die() { echo "check-fresh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it makes a chroot and mounts /proc and /dev in it)"
case "$fresh_dir" in
  *[[:space:]\\]*) die "FRESH_DIR must not contain spaces or backslashes: $fresh_dir" ;;
  / | /dev* | /proc* | /sys* | /tmp) die "FRESH_DIR must be a folder of its own, not $fresh_dir" ;;
esac
bash "$here/scripts/system-deps.sh" fresh

commit="$(git -C "$repo" rev-parse --verify HEAD)"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  say "note: $repo has uncommitted changes; only its HEAD, ${commit:0:12}, is checked"
fi

# Mount points under a folder, from this mount namespace's table (field 5; paths here have
# no spaces, so no octal escapes).
mounts_under() { awk -v dir="$1" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo; }

remove_chroot() {
  local root="$1"
  [ -e "$root" ] || return 0
  local mounted
  mounted="$(mounts_under "$root")"
  if [ -n "$mounted" ]; then
    echo "check-fresh: $root still has mounts, so it is not removed:" $mounted >&2
    echo "check-fresh: unmount them (umount -R PATH), then run again" >&2
    return 1
  fi
  rm -rf --one-file-system "$root"
}

# Run inside a private mount namespace (unshare): mount /proc, /dev and /tmp into the chroot,
# run the command there, then stop what it left running and unmount.
in_chroot() {
  set -euo pipefail
  # Not local: the EXIT trap runs after this function has returned.
  chroot_root="$1"
  local command="$2"
  shift 2
  stop_leftovers() {
    local proc
    for proc in /proc/[0-9]*; do
      [ "$(readlink "$proc/root" 2>/dev/null)" = "$chroot_root" ] && kill -KILL "${proc#/proc/}" 2>/dev/null
    done
    return 0
  }
  unmount() {
    stop_leftovers
    local point
    for point in tmp dev proc; do
      if mountpoint -q "$chroot_root/$point"; then umount -R "$chroot_root/$point"; fi
    done
  }
  trap unmount EXIT
  trap 'exit 130' INT TERM
  mount -t proc proc "$chroot_root/proc"
  mount --rbind /dev "$chroot_root/dev"
  # At once: nothing done inside, unmounting included, may reach this machine's /dev.
  mount --make-rslave "$chroot_root/dev"
  # Chromium's shared memory in a /dev/shm of the chroot's own, not in this machine's.
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$chroot_root/dev/shm"
  mount -t tmpfs -o mode=1777 tmpfs "$chroot_root/tmp"
  env -i "$@" "$(command -v chroot)" "$chroot_root" /bin/bash -c "cd /root/handbook && $command"
}

# This machine's way to the registries, copied into the chroot at the same paths.
copy_registry_config() {
  local root="$1" path
  for path in /etc/pip.conf /etc/xdg/pip "$HOME/.config/pip" "$HOME/.pip" "${PIP_CONFIG_FILE:-}" \
      "$HOME/.npmrc" "${NPM_CONFIG_USERCONFIG:-}"; do
    [ -n "$path" ] && [ -e "$path" ] || continue
    # The chroot's root user has /root as its home.
    local dest="$root${path/#$HOME//root}"
    mkdir -p "$(dirname "$dest")"
    cp -rLT "$path" "$dest"
  done
  # npm's global configuration, from where this machine's npm reads it to where Debian's does.
  local global=/etc/npmrc
  if command -v npm >/dev/null; then
    global="$(npm config get globalconfig 2>/dev/null || echo /etc/npmrc)"
  fi
  if [ -f "$global" ]; then cp -L "$global" "$root/etc/npmrc"; fi
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  local bundle="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
  cp -L "$bundle" "$root/etc/ssl/certs/ca-certificates.crt"
  # Kept through update-ca-certificates, which rebuilds the bundle when a package adds a CA.
  cp -L "$bundle" "$root/usr/local/share/ca-certificates/check-fresh-host-bundle.crt"
}

# The environment inside: a fresh root login's, plus this machine's pip and npm settings.
chroot_env() {
  local name
  printf '%s\n' HOME=/root LANG=C.UTF-8 TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  for name in $(compgen -e); do
    case "$name" in
      # The global npm configuration is copied to /etc/npmrc, where the chroot's npm reads it.
      npm_config_globalconfig | NPM_CONFIG_GLOBALCONFIG) ;;
      PIP_* | npm_config_* | NPM_CONFIG_*) printf '%s=%s\n' "$name" "${!name}" ;;
    esac
  done
}

# The output is there, whole and of its type (a page, a PDF, an EPUB).
check_output() {
  local file="$1" kind="$2"
  [ -f "$file" ] && [ ! -L "$file" ] && [ -s "$file" ] || { echo "missing or empty: ${file#"$root"/root/handbook/}"; return 1; }
  case "$kind" in
    html) grep -qi '<html' "$file" && grep -qi '</html>' "$file" ;;
    pdf) [ "$(head -c 5 "$file")" = "%PDF-" ] && tail -c 32 "$file" | grep -q '%%EOF' ;;
    epub) [ "$(head -c 2 "$file")" = PK ] && [ "$(head -c 58 "$file" | tail -c 28)" = mimetypeapplication/epub+zip ] ;;
    # BRF is ASCII braille: printable ASCII, line and page breaks, nothing else.
    brf) ! LC_ALL=C grep -q '[^[:print:][:space:]]' "$file" ;;
    # Unicode braille: UTF-8 braille patterns (U+2800 and up start with the bytes E2 A0 to E2 A3).
    unicode-braille) LC_ALL=C grep -q $'\xe2[\xa0-\xa3]' "$file" ;;
  esac || { echo "not a whole $kind file: ${file#"$root"/root/handbook/}"; return 1; }
}

# Run a step, print how long it took; on failure say which step failed.
step() {
  local name="$1" start=$SECONDS status=0
  shift
  say "$release: $name ..."
  "$@" || status=$?
  if [ "$status" -eq 0 ]; then
    say "$release: $name took $((SECONDS - start)) s"
  else
    echo "check-fresh: $release: $name FAILED (exit $status) after $((SECONDS - start)) s" >&2
  fi
  return "$status"
}

clone_sources() {
  git clone --quiet --no-hardlinks --no-checkout "$repo" "$root/root/handbook"
  git -C "$root/root/handbook" fetch --quiet "$repo" "$commit"
  git -C "$root/root/handbook" -c advice.detachedHead=false checkout --quiet --detach "$commit"
}

run_inside() {
  local -a environment
  mapfile -t environment < <(chroot_env)
  unshare --mount --propagation private -- \
    bash -c "$(declare -f in_chroot); in_chroot \"\$@\"" in_chroot "$root" "$1" "${environment[@]}"
}

# Every edition the Makefile builds by default: the site (English at its root, the others
# in a folder each) and the downloads.
check_outputs() {
  local sources="$root/root/handbook" language languages stem site
  local built="$sources/_build"
  languages="$(sed -n 's/^HANDBOOK_LANGUAGES *?= *//p' "$sources/Makefile")"
  for language in ${languages:-en}; do
    stem="ice-mission-areas-$language"
    site="$built/html/$language/index.html"
    [ "$language" = en ] && site="$built/html/index.html"
    check_output "$site" html &&
      check_output "$built/pdf/$stem.pdf" pdf &&
      check_output "$built/pdf/$stem-large-print.pdf" pdf &&
      check_output "$built/epub/$stem.epub" epub &&
      check_output "$built/braille/$stem.brf" brf &&
      check_output "$built/braille/$stem-braille.txt" unicode-braille || return 1
    echo "  $language: site, PDF, large-print PDF, EPUB, BRF, Unicode braille"
  done
}

prepare_chroot() {
  copy_registry_config "$root"
  clone_sources
}

check_release() {
  release="$1"
  root="$fresh_dir/$release"
  local start=$SECONDS include
  include="$(bash "$here/scripts/system-deps.sh" --list bootstrap | paste -sd,)"
  remove_chroot "$root" || return 1 # left by a run that was killed
  mkdir -p "$fresh_dir"
  # mmdebstrap mounts /dev and /proc while it installs: in a private mount namespace too.
  step "make a minimal Debian $release (mmdebstrap)" \
    unshare --mount --propagation private -- \
    mmdebstrap --quiet --variant=minbase --include="$include" "$release" "$root" || return 1
  # In a shell of its own, so that `set -e` stops it at the first failure.
  step "copy the registry configuration, clone ${commit:0:12}" \
    env root="$root" repo="$repo" commit="$commit" \
    bash -euo pipefail -c "$(declare -f copy_registry_config clone_sources prepare_chroot); prepare_chroot" || return 1
  step "make" run_inside "make" || return 1
  step "check every output" check_outputs || return 1
  if [ "${FRESH_TEST:-}" = 1 ]; then
    step "CI=true make test" run_inside "CI=true make test" || return 1
  fi
  say "$release: passed in $((SECONDS - start)) s"
}

cleanup() {
  if [ -n "${root:-}" ]; then remove_chroot "$root"; fi
}

main() {
  trap cleanup EXIT
  trap 'echo "check-fresh: interrupted; removing the chroot" >&2; exit 130' INT TERM
  local failed=()
  for release in "$@"; do
    root="$fresh_dir/$release"
    check_release "$release" || failed+=("$release")
    step "remove the chroot" remove_chroot "$root" || failed+=("$release (its chroot is left)")
    root=
  done
  if [ ${#failed[@]} -gt 0 ]; then
    die "FAILED on a fresh Debian ${failed[*]}: see the step marked FAILED and the lines before it"
  fi
  say "passed on a fresh Debian $*"
}

# On one line, read whole before it runs: editing this file during a run cannot change the run.
main "$@"; exit
