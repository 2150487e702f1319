#!/usr/bin/env bash
# Runs dtc 1.7.2's own test suite (tests/run_tests.sh, without Python and YAML: 2,089 tests) with
# our `compile` as dtc and our `apply` as fdtoverlay (scripts/dtc-suite/shim.sh), and compares
# every dtc/fdtoverlay call it makes with the native 1.7.2 from the same tarball: exit status,
# standard output, standard error and the bytes of every file written.
#
#   bash scripts/dtc-suite.sh [--native DIR] [--work DIR]
#
# --native DIR: the native dtc/fdtoverlay (default .cache/dtc-native, as .ci/run builds it; the
# comparison is skipped, saying so, when it is missing). --work DIR: where the suite is built and
# run (default .cache/dtc-suite; built once by build-dtc-wasm.sh --tests, copied fresh each run).
# Exits 1 when a test fails or a call differs from native dtc, and prints both counts.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
native="$here/.cache/dtc-native"
work="$here/.cache/dtc-suite"
while [ $# -gt 0 ]; do
  case "$1" in
    --native) native=${2:?--native needs a folder}; shift 2 ;;
    --work) work=${2:?--work needs a folder}; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "dtc-suite.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
EXPECTED_TESTS=2089

mkdir -p "$work"
work=$(cd "$work" && pwd)
built="$work/dtc-1.7.2"
if [ ! -x "$built/tests/asm_tree_dump" ] || [ ! -x "$built/fdtget" ]; then
  bash "$here/scripts/build-dtc-wasm.sh" --tests "$work" >/dev/null
fi
[ -f "$here/dist/cli.js" ] || node "$here/scripts/build.mjs"

# A fresh copy each run: the suite writes its outputs beside its sources.
run="$work/run"
rm -rf "$run" "$work/bin" "$work/calls"
cp -a "$built" "$run"
mkdir -p "$work/bin" "$work/calls"
for tool in dtc fdtoverlay; do
  printf '#!/bin/sh\nexec sh "%s" %s "$@"\n' "$here/scripts/dtc-suite/shim.sh" "$tool" > "$work/bin/$tool"
  chmod +x "$work/bin/$tool"
done
for tool in fdtget fdtput fdtdump; do ln -s "$run/$tool" "$work/bin/$tool"; done

compare=
if [ -x "$native/dtc" ] && [ -x "$native/fdtoverlay" ]; then
  compare=$(cd "$native" && pwd)
else
  echo "note: no native dtc in $native (scripts/build-dtc-wasm.sh --native); calls not compared"
fi

start=$(date +%s)
(cd "$run/tests" && TEST_BINDIR="$work/bin" NO_PYTHON=1 NO_YAML=1 DTC_SUITE_NATIVE="$compare" \
  DTC_SUITE_CALLS="$work/calls" ./run_tests.sh </dev/null >"$work/run_tests.log" 2>&1) || true
seconds=$(( $(date +%s) - start ))
# the suite writes `-o /dev/null` many times; as root, a writer that renamed over it would have
# replaced the device with a file (src/cli/output.ts writes through devices)
if [ ! -c /dev/null ]; then echo "dtc-suite.sh: /dev/null is no longer a character device" >&2; exit 1; fi

count() { sed -n "s/^\*  *$1:[[:space:]]*\([0-9]*\)$/\1/p" "$work/run_tests.log"; }
total=$(count 'Total testcases'); pass=$(count PASS); fail=$(count FAIL)
config=$(count 'Bad configuration'); strange=$(count 'Strange test result')
status=0
if [ -z "$total" ]; then
  echo "dtc test suite: no summary (see $work/run_tests.log)"; tail -20 "$work/run_tests.log"; exit 1
fi
echo "dtc 1.7.2 test suite with our compile/apply: $pass of $total passed in ${seconds}s (expected $EXPECTED_TESTS tests)"
if [ "$pass" != "$total" ] || [ "$total" != "$EXPECTED_TESTS" ]; then
  echo "  failed: $fail, bad configuration: $config, strange: $strange"
  grep -E ':[[:space:]]+(FAIL|Bad configuration)|FAIL ' "$work/run_tests.log" | grep -v '^\*' | head -50 | sed 's/^/  /'
  status=1
fi

if [ -n "$compare" ]; then
  calls=0 same=0
  differ=()
  for call in "$work"/calls/call.*; do
    calls=$((calls + 1))
    why=()
    cmp -s "$call/native.status" "$call/ours.status" ||
      why+=("exit status $(cat "$call/native.status") (dtc) vs $(cat "$call/ours.status") (ours)")
    cmp -s "$call/native.stdout" "$call/ours.stdout" || why+=("standard output")
    cmp -s "$call/native.stderr" "$call/ours.stderr" || why+=("standard error")
    for f in "$call"/native.out.* "$call"/ours.out.*; do
      [ -e "$f" ] || continue
      i=${f##*.}
      if [ ! -e "$call/native.out.$i" ] || [ ! -e "$call/ours.out.$i" ]; then why+=("output $i written by one only")
      elif [[ $f == */native.* ]] && ! cmp -s "$call/native.out.$i" "$call/ours.out.$i"; then why+=("output $i bytes"); fi
    done
    if [ ${#why[@]} -eq 0 ]; then same=$((same + 1)); continue; fi
    differ+=("$call")
    { echo "  $(cat "$call/command")   (in $(cat "$call/cwd"))"
      (IFS=';'; echo "    differs in: ${why[*]}")
      if ! cmp -s "$call/native.stderr" "$call/ours.stderr"; then
        sed 's/^/    dtc:  /' "$call/native.stderr" | head -5
        sed 's/^/    ours: /' "$call/ours.stderr" | head -5
      fi
    } >> "$work/differences.txt.new"
  done
  echo "dtc/fdtoverlay calls identical to native 1.7.2: $same of $calls"
  if [ ${#differ[@]} -gt 0 ]; then cat "$work/differences.txt.new"; status=1; fi
  rm -f "$work/differences.txt.new"
fi
exit $status
