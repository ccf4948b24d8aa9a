#!/usr/bin/env bash
# Prepare this x86-64 Debian machine to build pyston for aarch64 and run it under
# qemu-user (`make smoke-aarch64` / `make test-aarch64` call it; safe to rerun):
#
#   1. host packages: qemu-user-static, binfmt-support, debootstrap (the cross
#      build links with zig: scripts/wheels.sh)
#   2. binfmt_misc: the kernel runs aarch64 ELF files through qemu-aarch64-static
#   3. an arm64 Debian root (the host's release) in target/aarch64/root, made by
#      `debootstrap --foreign` and unpacked natively (dpkg -x) on the host: no
#      package is configured under emulation, which is what made the usual
#      second stage take 10-40 minutes here; CPython is Debian's python3
#   4. NumPy 2, pytest, hypothesis, pytest-timeout as aarch64 wheels, installed by
#      the host's pip straight into that root's venv (pip --platform --target):
#      nothing runs under qemu for it
#   5. the aarch64 Rust std (`rustup target add aarch64-unknown-linux-gnu`)
#
# Every step checks first and does nothing when already done. Everything it makes
# lives under target/aarch64 (AARCH64_DIR overrides), except the host's Debian
# packages, the binfmt registration and the rustup target. Needs root and the
# package registries (Debian mirrors, PyPI, rustup's server).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${AARCH64_DIR:-$REPO/target/aarch64}
ROOT=$DIR/root
TRIPLE=aarch64-unknown-linux-gnu
HOSTPY=${HOSTPY:-python3}
log() { printf '== aarch64 setup: %s\n' "$*"; }
die() { printf 'aarch64 setup: error: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (it installs Debian packages, registers binfmt and uses chroot)"
command -v apt-get >/dev/null || die "needs a Debian/Ubuntu host (apt-get)"
mkdir -p "$DIR"
t0=$SECONDS

# 1. Host packages.
PKGS="qemu-user-static binfmt-support debootstrap ca-certificates"
missing=$(for p in $PKGS; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
done)
if [ -n "$missing" ]; then
  log "apt-get install" $missing
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# 2. binfmt_misc. Flag F (qemu-user-static's default): the interpreter is opened
#    when it is registered, so aarch64 programs run inside the chroot too.
BF=/proc/sys/fs/binfmt_misc
if [ ! -e $BF/status ]; then
  mount -t binfmt_misc binfmt_misc $BF 2>/dev/null ||
    die "binfmt_misc is not mounted and cannot be mounted ($BF). In a container, the host must
  provide it: run the container with --privileged, or on the host run
  'mount -t binfmt_misc binfmt_misc $BF && update-binfmts --enable qemu-aarch64'."
fi
if ! grep -qx enabled $BF/qemu-aarch64 2>/dev/null; then
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
fi
grep -qx enabled $BF/qemu-aarch64 2>/dev/null ||
  die "cannot register qemu-aarch64 with binfmt_misc ($BF/qemu-aarch64 is missing or disabled;
  $BF/status says '$(cat $BF/status 2>/dev/null)'). Needs root with write access to $BF
  (a container needs --privileged)."
grep -q '^flags:.*F' $BF/qemu-aarch64 ||
  die "qemu-aarch64 is registered without flag F (fix-binary); the chroot cannot find the
  interpreter. Re-register it: update-binfmts --disable qemu-aarch64; update-binfmts --import qemu-aarch64"

# 3. The arm64 Debian root.
SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
if [ ! -f "$ROOT/.ready" ]; then
  [ -d "$ROOT" ] && { grep -q " $ROOT/" /proc/mounts && die "something is mounted under $ROOT"; rm -rf --one-file-system "$ROOT"; }
  log "debootstrap --foreign --arch=arm64 $SUITE (download + unpack on the host)"
  s=$SECONDS
  nice -n 10 debootstrap --foreign --arch=arm64 --variant=minbase \
    --include=python3,python3-venv "$SUITE" "$ROOT" >"$DIR/debootstrap.log" 2>&1 ||
    { tail -20 "$DIR/debootstrap.log"; die "debootstrap failed (log: $DIR/debootstrap.log)"; }
  # the first stage unpacked only the essential packages; unpack the rest
  # (python3 and its dependencies) the same way instead of the emulated second stage
  for f in "$ROOT"/var/cache/apt/archives/*.deb; do dpkg -x "$f" "$ROOT"; done
  rm -f "$ROOT"/var/cache/apt/archives/*.deb
  cp "$ROOT/usr/share/base-passwd/passwd.master" "$ROOT/etc/passwd"
  cp "$ROOT/usr/share/base-passwd/group.master" "$ROOT/etc/group"
  echo "$SUITE" >"$ROOT/.ready"
  log "arm64 root unpacked in $((SECONDS - s)) s"
fi
inch() { env -i PATH=/opt/venv/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root USER=root LANG=C.UTF-8 \
  /usr/sbin/chroot "$ROOT" "$@"; }
out=$(inch /usr/bin/python3 -c 'import platform, sys; print(platform.machine(), "%d.%d" % sys.version_info[:2])' 2>&1) ||
  die "the arm64 Python does not run under qemu: $out"
[ "${out%% *}" = aarch64 ] || die "expected aarch64 from the chroot's Python, got: $out"
PYV=${out##* }

# 4. The test dependencies (the latest wheels matching the Makefile's requirements).
REQS=("numpy>=2" "pytest>=7" "hypothesis>=6" pytest-timeout pytest-xdist)
SITE=$ROOT/opt/venv/lib/python$PYV/site-packages
if [ ! -f "$ROOT/opt/venv/.deps-ok" ]; then
  s=$SECONDS
  rm -rf "$ROOT/opt/venv"
  inch /usr/bin/python3 -m venv --without-pip /opt/venv
  "$HOSTPY" -m pip install -q --disable-pip-version-check --no-warn-script-location --no-compile --root-user-action=ignore \
    --only-binary=:all: --platform manylinux_2_28_aarch64 --platform manylinux2014_aarch64 \
    --python-version "$PYV" --implementation cp --target "$SITE" "${REQS[@]}" ||
    die "pip could not fetch the aarch64 wheels"
  touch "$ROOT/opt/venv/.deps-ok"
  log "test dependencies installed in $((SECONDS - s)) s"
fi
inch /opt/venv/bin/python -c 'import platform, sys, numpy, pytest, hypothesis
print("== aarch64 setup: chroot python", sys.version.split()[0], platform.machine(), "numpy", numpy.__version__,
      "pytest", pytest.__version__, "hypothesis", hypothesis.__version__)'

# 5. The aarch64 Rust std for the host's toolchain.
if ! rustup target list --installed 2>/dev/null | grep -qx "$TRIPLE"; then
  command -v rustup >/dev/null || die "needs rustup (to add the $TRIPLE standard library)"
  log "rustup target add $TRIPLE"
  rustup target add "$TRIPLE" >/dev/null
fi
log "ready in $((SECONDS - t0)) s ($ROOT)"
