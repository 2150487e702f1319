#!/usr/bin/env bash
# Builds the reference dtc and fdtoverlay 1.7.2 as WASI modules (vendor/dtc-wasm/*.wasm), or with
# --native as host programs for differential tests, from Debian's device-tree-compiler 1.7.2 source.
#
#   bash scripts/build-dtc-wasm.sh                 # -> vendor/dtc-wasm/dtc.wasm, fdtoverlay.wasm
#   bash scripts/build-dtc-wasm.sh --native DIR    # -> DIR/dtc, DIR/fdtoverlay (native 1.7.2)
#   bash scripts/build-dtc-wasm.sh --out DIR       # wasm modules into DIR instead of vendor/
#   bash scripts/build-dtc-wasm.sh --tests DIR     # -> DIR/dtc-1.7.2: dtc's test suite built
#                                                  #    (tests/, fdtget, fdtput, fdtdump; no dtc)
#
# Idempotent: packages are installed only when missing, the source tarball is reused when its
# sha256 matches (the copy committed in vendor/dtc-wasm/ first), and a fresh build folder is used.
# Toolchain: Debian's clang + lld + wasi-libc (+ flex, bison). dtc builds for WASI unchanged; the
# only addition is wasi-cwd.c (ours), which makes relative paths work, and a larger stack.
set -euo pipefail

VERSION=1.7.2
TARBALL=device-tree-compiler_${VERSION}.orig.tar.xz
# sha256 of the .orig.tar.xz as listed in Debian trixie's signed Sources index (1.7.2-2).
TARBALL_SHA256=92d8ca769805ae1f176204230438fe52808f4e1c7944053c9eec0e649b237539
STACK_BYTES=$((8 * 1024 * 1024)) # the 64 KiB default overflows in -O dts on deeply nested trees

here=$(cd "$(dirname "$0")/.." && pwd)
vendor="$here/vendor/dtc-wasm"
mode=wasm
out="$vendor"
while [ $# -gt 0 ]; do
  case "$1" in
    --native) mode=native; out=${2:?--native needs an output folder}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    --tests) mode=tests; out=${2:?--tests needs an output folder}; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "build-dtc-wasm.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

need_pkgs=(make flex bison xz-utils)
if [ "$mode" = wasm ]; then need_pkgs+=(clang lld wasi-libc libclang-rt-14-dev-wasm32); else need_pkgs+=(gcc libc6-dev); fi
missing=()
for p in "${need_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dtc-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$TARBALL_SHA256" ]; }

if sha_ok "$vendor/$TARBALL"; then
  cp "$vendor/$TARBALL" "$work/"
else
  # Debian's source package, from trixie (bookworm ships 1.6.1, which is not our oracle).
  list=/etc/apt/sources.list.d/dtoverlay-check-trixie-src.sources
  if [ ! -f "$list" ]; then
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$list"
  fi
  apt-get update -qq
  # Only the upstream tarball is needed; a missing .dsc/.debian.tar.xz of a superseded revision is not fatal.
  (cd "$work" && apt-get source -qq --download-only "device-tree-compiler=${VERSION}-2" >/dev/null 2>&1 || true)
  if ! sha_ok "$work/$TARBALL"; then
    echo "build-dtc-wasm.sh: could not obtain $TARBALL with sha256 $TARBALL_SHA256" >&2
    exit 1
  fi
fi

tar -C "$work" -xf "$work/$TARBALL"
src="$work/dtc-$VERSION"
common=(NO_PYTHON=1 NO_YAML=1 NO_VALGRIND=1 STATIC_BUILD=1)

if [ "$mode" = wasm ]; then
  cp "$vendor/wasi-cwd.c" "$src/"
  # -Wno-error: dtc's warning list names a gcc-only warning that clang reports as unknown.
  make -s -C "$src" -j"$(nproc)" "${common[@]}" \
    CC="clang --target=wasm32-wasi" AR=llvm-ar-14 SHAREDLIB_CFLAGS= \
    EXTRA_CFLAGS="-Wno-error -Wno-unknown-warning-option" \
    LDFLAGS="-Wl,-z,stack-size=$STACK_BYTES -Wl,--strip-debug wasi-cwd.c" \
    dtc fdtoverlay >"$work/make.log" 2>&1 || { cat "$work/make.log" >&2; exit 1; }
  cp "$src/dtc" "$out/dtc.wasm"
  cp "$src/fdtoverlay" "$out/fdtoverlay.wasm"
  (cd "$out" && sha256sum dtc.wasm fdtoverlay.wasm)
elif [ "$mode" = tests ]; then
  # The suite's own programs, run by scripts/dtc-suite.sh with our CLI as dtc and fdtoverlay.
  # Not static: asm_tree_dump and value-labels (libdl) are built only then.
  rm -rf "${out:?}/dtc-$VERSION"
  mv "$src" "$out/"
  src="$out/dtc-$VERSION"
  make -s -C "$src" -j"$(nproc)" NO_PYTHON=1 NO_YAML=1 NO_VALGRIND=1 EXTRA_CFLAGS="-Wno-error" \
    tests fdtget fdtput fdtdump >"$work/make.log" 2>&1 || { cat "$work/make.log" >&2; exit 1; }
  echo "$src"
else
  make -s -C "$src" -j"$(nproc)" "${common[@]}" EXTRA_CFLAGS="-Wno-error" dtc fdtoverlay \
    >"$work/make.log" 2>&1 || { cat "$work/make.log" >&2; exit 1; }
  cp "$src/dtc" "$src/fdtoverlay" "$out/"
  (cd "$out" && sha256sum dtc fdtoverlay)
fi
