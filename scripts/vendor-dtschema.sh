#!/usr/bin/env bash
# Vendors dt-schema's core schemas and meta-schemas (BSD-2-Clause) into vendor/dtschema/, from the
# `dtschema` wheel of one version on the Python package index, with its licence.
#
#   bash scripts/vendor-dtschema.sh            # the pinned version (vendor/dtschema/SOURCE, else 2025.06.1)
#   bash scripts/vendor-dtschema.sh 2025.08    # another version: the new wheel's sha256 is pinned
#   bash scripts/vendor-dtschema.sh --check DIR  # compare vendor/dtschema with a dt-schema folder
#
# The wheel's sha256 is recorded in vendor/dtschema/SOURCE; refreshing the same version again
# fails if the registry serves a wheel with another hash. Needs pip (the registry reached as pip is
# set up) and python3 (to unpack the wheel).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dest=${DTSCHEMA_VENDOR_DIR:-"$root/vendor/dtschema"} # the variable: for tests
source_file="$dest/SOURCE"
default_version=2025.06.1

pinned() { # field name -> value in SOURCE, or nothing
  [ -f "$source_file" ] && awk -v k="$1" '$1 == k { print $2 }' "$source_file" || true
}

if [ "${1:-}" = "--check" ]; then
  other=${2:?usage: vendor-dtschema.sh --check DIR}
  status=0
  for part in schemas meta-schemas; do
    diff -r "$dest/$part" "$other/$part" || status=1
  done
  [ $status -eq 0 ] && echo "vendor/dtschema ($(pinned version)) is identical to $other (schemas/, meta-schemas/)"
  exit $status
fi

version=${1:-$(pinned version)}
version=${version:-$default_version}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pip download --no-deps --only-binary=:all: --no-cache-dir -d "$work" "dtschema==$version" >&2
wheel=$(ls "$work"/dtschema-"$version"-*.whl)
sha=$(sha256sum "$wheel" | cut -d' ' -f1)
if [ "$(pinned version)" = "$version" ] && [ -n "$(pinned sha256)" ] && [ "$(pinned sha256)" != "$sha" ]; then
  echo "vendor-dtschema: $(basename "$wheel") has sha256 $sha, but $source_file pins $(pinned sha256)" >&2
  exit 1
fi

python3 -m zipfile -e "$wheel" "$work/wheel"
licence=
for f in "$work"/wheel/dtschema-"$version".dist-info/licenses/LICENSE* "$work"/wheel/dtschema-"$version".dist-info/LICENSE*; do
  [ -f "$f" ] && { licence=$f; break; }
done
[ -n "$licence" ] || { echo "vendor-dtschema: no licence file in $(basename "$wheel")" >&2; exit 1; }

next="$dest.new"
rm -rf "$next"
mkdir -p "$next"
cp -R "$work/wheel/dtschema/schemas" "$work/wheel/dtschema/meta-schemas" "$next/"
cp "$licence" "$next/LICENSE.txt"
find "$next" -name '__pycache__' -prune -exec rm -rf {} +
{
  echo "# dt-schema's core schemas and meta-schemas, unpacked by scripts/vendor-dtschema.sh; do not edit."
  echo "version $version"
  echo "wheel $(basename "$wheel")"
  echo "sha256 $sha"
  echo "licence BSD-2-Clause (LICENSE.txt)"
} > "$next/SOURCE"
rm -rf "$dest"
mv "$next" "$dest"
echo "vendored dtschema $version ($(find "$dest" -name '*.yaml' | wc -l) schema files) into vendor/dtschema/" >&2
