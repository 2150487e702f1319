#!/usr/bin/env bash
# Vendors dt-schema's core schemas and meta-schemas (BSD-2-Clause) into vendor/dtschema/, from the
# `dtschema` wheel of one version on the Python package index, with its licence.
#
#   bash scripts/vendor-dtschema.sh            # the pinned version (vendor/dtschema/SOURCE, else 2025.06.1)
#   bash scripts/vendor-dtschema.sh 2025.08    # another version: the new wheel's sha256 is pinned
#   bash scripts/vendor-dtschema.sh --check DIR  # compare vendor/dtschema with a dt-schema folder
#   bash scripts/vendor-dtschema.sh --deb FILE.deb # from Debian's dt-schema package instead of the wheel
#
# Where the Python package index cannot be reached, Debian's `dt-schema` package carries the same
# files (schemas/ and meta-schemas/ under dtschema/ in python3's dist-packages, the licence in its
# copyright file): `apt-get download dt-schema=VERSION` with a suite that has it, then `--deb`.
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# install PKGDIR LICENCE VERSION PACKAGE SHA256 LICENCE-TEXT: PKGDIR's schemas/ and meta-schemas/
# with the licence file and SOURCE become $dest (replaced whole, never half-written).
install() {
  next="$dest.new"
  rm -rf "$next"
  mkdir -p "$next"
  cp -R "$1/schemas" "$1/meta-schemas" "$next/"
  cp "$2" "$next/LICENSE.txt"
  find "$next" -name '__pycache__' -prune -exec rm -rf {} +
  write_source "$3" "$4" "$5" "$6"
  rm -rf "$dest"
  mv "$next" "$dest"
  echo "vendored dtschema $3 from $4 ($(find "$dest" -name '*.yaml' | wc -l) schema files) into vendor/dtschema/" >&2
}

write_source() { # version, package file name, sha256, licence text -> $next/SOURCE
  {
    echo "# dt-schema's core schemas and meta-schemas, unpacked by scripts/vendor-dtschema.sh; do not edit."
    echo "version $1"
    echo "package $2"
    echo "sha256 $3"
    echo "licence $4"
  } > "$next/SOURCE"
}

if [ "${1:-}" = "--deb" ]; then
  deb=${2:?usage: vendor-dtschema.sh --deb FILE.deb}
  sha=$(sha256sum "$deb" | cut -d' ' -f1)
  # dt-schema_2025.08-1.2~bpo13+1_all.deb -> upstream version 2025.08
  version=$(basename "$deb" | sed -E 's/^dt-schema_([^-_]+)-.*$/\1/')
  if [ "$(pinned package)" = "$(basename "$deb")" ] && [ -n "$(pinned sha256)" ] && [ "$(pinned sha256)" != "$sha" ]; then
    echo "vendor-dtschema: $(basename "$deb") has sha256 $sha, but $source_file pins $(pinned sha256)" >&2
    exit 1
  fi
  dpkg-deb -x "$deb" "$work/deb"
  pkg=$(find "$work/deb" -type d -path '*/dist-packages/dtschema' | head -n 1)
  [ -n "$pkg" ] && [ -d "$pkg/schemas" ] || { echo "vendor-dtschema: no dtschema/schemas in $(basename "$deb")" >&2; exit 1; }
  install "$pkg" "$work/deb/usr/share/doc/dt-schema/copyright" "$version" "$(basename "$deb")" "$sha" \
    "BSD-2-Clause (LICENSE.txt: the package's copyright file; some files BSD-2-Clause or GPL-2, as it lists)"
  exit 0
fi

version=${1:-$(pinned version)}
version=${version:-$default_version}

pip download --no-deps --only-binary=:all: --no-cache-dir -d "$work" "dtschema==$version" >&2
wheel=$(ls "$work"/dtschema-"$version"-*.whl)
sha=$(sha256sum "$wheel" | cut -d' ' -f1)
if [ "$(pinned package)" = "$(basename "$wheel")" ] && [ -n "$(pinned sha256)" ] && [ "$(pinned sha256)" != "$sha" ]; then
  echo "vendor-dtschema: $(basename "$wheel") has sha256 $sha, but $source_file pins $(pinned sha256)" >&2
  exit 1
fi

python3 -m zipfile -e "$wheel" "$work/wheel"
licence=
for f in "$work"/wheel/dtschema-"$version".dist-info/licenses/LICENSE* "$work"/wheel/dtschema-"$version".dist-info/LICENSE*; do
  [ -f "$f" ] && { licence=$f; break; }
done
[ -n "$licence" ] || { echo "vendor-dtschema: no licence file in $(basename "$wheel")" >&2; exit 1; }

install "$work/wheel/dtschema" "$licence" "$version" "$(basename "$wheel")" "$sha" "BSD-2-Clause (LICENSE.txt)"
