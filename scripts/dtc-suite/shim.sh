#!/bin/sh
# One dtc or fdtoverlay call of dtc's test suite, run by our CLI (`compile`, or `apply` taking
# fdtoverlay's options). With DTC_SUITE_NATIVE set, the native 1.7.2 tool runs the same call
# first, in the same folder and on the same standard input; both results are kept under
# DTC_SUITE_CALLS for scripts/dtc-suite.sh to compare. The suite sees only ours.
#   shim.sh dtc|fdtoverlay ARGS...
set -u
tool=$1; shift
repo=$(cd "$(dirname "$0")/../.." && pwd)
ours() {
  if [ "$tool" = dtc ]; then
    node "$repo/bin/dtoverlay-check.js" compile "$@"
  else
    # fdtoverlay -i BASE -o OUT OVERLAY...  ->  apply BASE OVERLAY... -o OUT
    base= out=
    OPTIND=1
    while getopts i:o:vh opt; do
      case $opt in i) base=$OPTARG ;; o) out=$OPTARG ;; v) ;; *) return 1 ;; esac
    done
    shift $((OPTIND - 1))
    node "$repo/bin/dtoverlay-check.js" apply -q -o "$out" "$base" "$@"
  fi
}

if [ -z "${DTC_SUITE_NATIVE:-}" ]; then ours "$@"; exit $?; fi

call=$(mktemp -d "$DTC_SUITE_CALLS/call.XXXXXX")
cat > "$call/stdin"
{ printf '%s' "$tool"; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } > "$call/command"
pwd > "$call/cwd"

# The files this call writes: -o (and dtc's -d). Standard output and /dev/null are compared as streams.
outputs=
prev=
for a in "$@"; do
  case $prev in -o|--out|-d|--out-dependency) outputs="$outputs $a" ;; esac
  case $a in -o?*) outputs="$outputs ${a#-o}" ;; --out=*) outputs="$outputs ${a#--out=}" ;; esac
  prev=$a
done
files=
for f in $outputs; do
  case $f in -|/dev/*) ;; *) files="$files $f" ;; esac
done

i=0
for f in $files; do i=$((i + 1)); [ -e "$f" ] && cp -p "$f" "$call/before.$i"; done
"$DTC_SUITE_NATIVE/$tool" "$@" < "$call/stdin" > "$call/native.stdout" 2> "$call/native.stderr"
echo $? > "$call/native.status"
i=0
for f in $files; do
  i=$((i + 1))
  if [ -e "$f" ]; then mv "$f" "$call/native.out.$i"; else : > "$call/native.missing.$i"; fi
  [ -e "$call/before.$i" ] && cp -p "$call/before.$i" "$f"
done

ours "$@" < "$call/stdin" > "$call/ours.stdout" 2> "$call/ours.stderr"
status=$?
echo $status > "$call/ours.status"
i=0
for f in $files; do
  i=$((i + 1))
  if [ -e "$f" ]; then cp "$f" "$call/ours.out.$i"; else : > "$call/ours.missing.$i"; fi
done
cat "$call/ours.stdout"
cat "$call/ours.stderr" >&2
exit $status
