#!/usr/bin/env bash
# `make test-matrix`: the built manylinux2014 x86_64 wheel (target/wheels/, from
# `make wheels`) installed into a fresh venv for every CPython 3.9-3.13 found,
# with NumPy 1.26 where a wheel for that Python exists and with the latest NumPy
# 2.x for it; a quick, deterministic sample of the suite runs in each.
#
#   scripts/test_matrix.sh [PYTHON...]   (default: ~/.pyenv/versions/3.{9..13}*/bin/python,
#                                         plus python3.9 ... python3.13 on PATH)
# Environment: MATRIX_WHEEL (a wheel file instead), MATRIX_SAMPLE (fraction of each test module, default 0.03),
#              MATRIX_NUMPY (default "1.26 2"), PYSTON_TEST_SEED (default 12345).
# Exit status: non-zero when any combination failed (each is still run).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/target/matrix
SAMPLE=${MATRIX_SAMPLE:-0.03}
export PYSTON_TEST_SEED=${PYSTON_TEST_SEED:-12345}
log() { printf '== matrix: %s\n' "$*"; }
WHL=${MATRIX_WHEEL:-$(ls "$REPO"/target/wheels/pyston_jit-*-manylinux*_x86_64.whl 2>/dev/null | head -1 || true)}
[ -n "$WHL" ] || { echo "test_matrix: no manylinux x86_64 wheel in target/wheels (run make wheels)" >&2; exit 1; }

pythons=("$@")
if [ ${#pythons[@]} = 0 ]; then
  for m in 9 10 11 12 13; do
    p=$(ls -d "$HOME"/.pyenv/versions/3.$m.*/bin/python 2>/dev/null | grep -v -- '-dev\|t/bin' | sort -V | tail -1 || true)
    [ -n "$p" ] || p=$(command -v "python3.$m" || true)
    [ -n "$p" ] && pythons+=("$p")
  done
fi
[ ${#pythons[@]} -gt 0 ] || { echo "test_matrix: no CPython 3.9-3.13 found" >&2; exit 1; }
mkdir -p "$OUT"
summary=() failed=0
for py in "${pythons[@]}"; do
  v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  for np in ${MATRIX_NUMPY:-1.26 2}; do
    s=$SECONDS
    if [ "$np" = 2 ]; then spec="numpy>=2,<3"; else spec="numpy==$np.*"; fi
    venv=$OUT/py$v-np$np
    rm -rf "$venv"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
    if ! "$venv/bin/python" -m pip install -q --only-binary=numpy "$spec" >"$OUT/py$v-np$np.pip.log" 2>&1; then
      log "CPython $v: no NumPy $np wheel for it: skipped"
      summary+=("$v numpy-$np: no wheel, skipped")
      rm -rf "$venv"
      continue
    fi
    "$venv/bin/python" -m pip install -q "$WHL" "pytest>=7" "hypothesis>=6" pytest-timeout >>"$OUT/py$v-np$np.pip.log" 2>&1 ||
      { log "CPython $v NumPy $np: pip install failed"; summary+=("$v numpy-$np: pip FAILED"); failed=1; continue; }
    ver=$("$venv/bin/python" -c 'import sys, numpy; print(sys.version.split()[0], numpy.__version__)')
    # from /tmp: the installed wheel is imported, not the checkout's python/ folder
    # NumPy 1.x: pyston implements NumPy 2's promotion rules (NEP 50), which NumPy
    # 1.24-1.26 give under NPY_PROMOTION_STATE=weak; the differential tests compare
    # against that (docs/platforms.md says what differs under 1.x's legacy rules).
    # The fuzzer's generated programs use NumPy 2 names (np.bool): not run on 1.x,
    # and a small batch of them on 2.x (the full batch runs in `make test`).
    promo=(PYSTON_FUZZ_COUNT=100) extra=()
    case $np in 1.*) promo=(NPY_PROMOTION_STATE=weak) extra=(--ignore="$REPO/tests/test_fuzz.py") ;; esac
    st=0
    (cd /tmp && env "${promo[@]}" PYTHONPATH="$REPO/scripts" nice -n 10 "$venv/bin/python" -m pytest -q \
      -p no:cacheprovider -p pytest_sample --sample="$SAMPLE" --timeout=300 --durations=5 \
      --rootdir="$REPO" -c "$REPO/pyproject.toml" ${extra[@]+"${extra[@]}"} "$REPO/tests") >"$OUT/py$v-np$np.log" 2>&1 || st=$?
    res=$(grep -E '^(=+ )?[0-9]+ (passed|failed)' "$OUT/py$v-np$np.log" | tail -1 | tr -d '=' | sed 's/^ *//')
    log "CPython ${ver% *} NumPy ${ver#* }: ${res:-no result} ($((SECONDS - s)) s, exit $st)"
    summary+=("${ver% *} numpy-${ver#* }: ${res:-no result}, $((SECONDS - s)) s")
    if [ "$st" != 0 ]; then failed=1; tail -30 "$OUT/py$v-np$np.log"; fi
  done
done
log "summary (wheel $(basename "$WHL"), sample $SAMPLE, PYSTON_TEST_SEED=$PYSTON_TEST_SEED):"
printf '   %s\n' "${summary[@]}"
exit $failed
