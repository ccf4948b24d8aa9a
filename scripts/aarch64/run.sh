#!/usr/bin/env bash
# Build pyston for aarch64-unknown-linux-gnu on this x86-64 machine and run it
# under qemu-user in the arm64 Debian root that setup.sh makes (it is called first).
#
#   scripts/aarch64/run.sh smoke   # `make smoke-aarch64`: build, smoke, demo, a sample of the suite
#                                  (all of test_simd.py and test_aarch64.py, the asm-shape tests)
#   scripts/aarch64/run.sh full    # `make test-aarch64`:  build, smoke, the whole suite
#   scripts/aarch64/run.sh pytest [ARGS...]   # build, then pytest ARGS under emulation
#
# Environment:
#   AARCH64_DIR       work folder (default target/aarch64)
#   AARCH64_SAMPLE    fraction of each module's cases in `smoke` (default 0.12)
#   AARCH64_JOBS      pytest-xdist workers (default: the number of CPUs; 0 = one process)
#   AARCH64_NOBUILD=1 reuse the last built wheel
#   PYSTON_TEST_SEED  passed through (default 12345, so a failure reproduces)
#   PYSTON_FUZZ_COUNT test_fuzz.py's batch size (default 300 in smoke, 600 in full: 2,500
#                     generated programs take more than the 900 s test timeout under qemu)
#   PYSTON_TEST_TIMEOUT_SCALE  multiplies the tests' subprocess timeouts (default 5: emulation)
#
# Exit status: 0 when every step passed, else non-zero (pytest's own code for the
# tests). Logs and junit xml land in target/aarch64/results/.
set -euo pipefail

MODE=${1:-smoke}; shift || true
REPO=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${AARCH64_DIR:-$REPO/target/aarch64}
ROOT=$DIR/root
TRIPLE=aarch64-unknown-linux-gnu
RES=$DIR/results
SEED=${PYSTON_TEST_SEED:-12345}
JOBS=${AARCH64_JOBS:-$(nproc)}
# test_fuzz.py's batch of generated programs (2,500 by default): the smoke run
# takes the same fraction of it as of the other modules
if [ "$MODE" = smoke ]; then FUZZ=${PYSTON_FUZZ_COUNT:-300}; else FUZZ=${PYSTON_FUZZ_COUNT:-600}; fi
SCALE=${PYSTON_TEST_TIMEOUT_SCALE:-5}
log() { printf '== aarch64 %s: %s\n' "$MODE" "$*"; }
die() { printf 'aarch64 %s: error: %s\n' "$MODE" "$*" >&2; exit 1; }
case $MODE in smoke | full | pytest) ;; *) die "usage: $0 smoke|full|pytest [PYTEST ARGS]" ;; esac
t0=$SECONDS

bash "$REPO/scripts/aarch64/setup.sh"
mkdir -p "$RES"
PYV=$(cat "$ROOT/opt/venv/pyvenv.cfg" | sed -n 's/^version = \([0-9]*\.[0-9]*\).*/\1/p')
SITE=$ROOT/opt/venv/lib/python$PYV/site-packages

# 1. The cross build: the manylinux2014 aarch64 wheel that `make wheels` ships
#    (maturin --zig; scripts/wheels.sh), so what is tested is what users install.
if [ "${AARCH64_NOBUILD:-}" != 1 ]; then
  s=$SECONDS
  bash "$REPO/scripts/wheels.sh" aarch64 || die "cross build failed"
  log "cross build: $((SECONDS - s)) s"
fi
WHL=$(ls "$REPO"/target/wheels/pyston_jit-*aarch64.whl 2>/dev/null | head -1 || true)
[ -n "$WHL" ] || die "no aarch64 wheel in target/wheels"

# 2. Install it: a wheel is a zip laid out for site-packages; unpack it natively
#    (no pip under qemu). Copy the working tree's tests, examples, benchmarks, docs
#    (the tests import benchmarks.kernels; test_numpy_support_doc reads docs/,
#    test_platform frontend.rs) and the sampling plugin.
rm -rf "$SITE"/pyston "$SITE"/pyston_jit-*.dist-info
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$WHL" "$SITE"
rm -rf --one-file-system "$ROOT/root/pyston-$MODE" && mkdir -p "$ROOT/root/pyston-$MODE"
(cd "$REPO" && git ls-files -co --exclude-standard -z -- tests examples benchmarks scripts docs pyproject.toml \
    core/runtime/src/frontend.rs |
  tar --null -T - -cf -) | tar -xf - -C "$ROOT/root/pyston-$MODE"

inch() { env -i PATH=/opt/venv/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root USER=root LANG=C.UTF-8 \
  PYSTON_TEST_SEED="$SEED" PYSTON_FUZZ_COUNT="$FUZZ" PYSTON_TEST_TIMEOUT_SCALE="$SCALE" PYTHONPATH=/root/pyston-$MODE/scripts /usr/sbin/chroot "$ROOT" "$@"; }
# /proc inside the root only while this runs (os.cpu_count, /proc/self/maps)
# (left mounted while another run, e.g. smoke beside full, still uses the root)
cleanup() {
  local p
  for p in /proc/[0-9]*; do
    [ "$p" != "/proc/$$" ] && [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && return 0
  done
  if mountpoint -q "$ROOT/proc"; then umount -l "$ROOT/proc"; fi
}
trap cleanup EXIT
mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
rc=0
step() { # step NAME CMD...: run CMD in the root from /root/pyston-$MODE, log, keep the first failure
  local name=$1 s=$SECONDS st=0; shift
  set +e
  inch sh -c "cd /root/pyston-$MODE && exec \"\$@\"" sh "$@" 2>&1 | tee "$RES/$MODE-$name.log"
  st=${PIPESTATUS[0]}
  set -e
  log "$name: $((SECONDS - s)) s, exit $st"
  if [ "$st" != 0 ] && [ "$rc" = 0 ]; then rc=$st; fi
}

# 3. Smoke: compiled on aarch64 (host code in inspect_asm), same result as CPython.
step smoke python scripts/aarch64/smoke.py
[ "$rc" = 0 ] || die "smoke failed: the rest would only repeat it"

# 4. The demo (its timings are qemu's, not an aarch64 machine's).
[ "$MODE" = smoke ] && step demo python examples/demo.py

# 5. The tests.
args=(-q -rfE -p no:cacheprovider -p pytest_sample --timeout=900 --durations=15 --junitxml="/root/junit-$MODE.xml")
[ "$JOBS" != 0 ] && args+=(-n "$JOBS")
case $MODE in
  smoke) args+=(--sample="${AARCH64_SAMPLE:-0.12}"
    --sample-all="test_simd.py,test_aarch64.py,tests/test_control_flow.py::test_if_conversion,tests/test_scalars.py::test_branch_bounds"
    tests) ;;
  full) args+=(tests) ;;
  pytest) args+=("$@") ;;
esac
step pytest python -m pytest "${args[@]}"
cp "$ROOT/root/junit-$MODE.xml" "$RES/" 2>/dev/null || true
log "total $((SECONDS - t0)) s, exit $rc (PYSTON_TEST_SEED=$SEED; logs in $RES)"
exit "$rc"
