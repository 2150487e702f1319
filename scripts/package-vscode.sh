#!/usr/bin/env bash
# Packages editors/vscode as a .vsix (a zip holding the VSIX manifest and extension/), with `zip`
# and no marketplace tools. Installs the extension's own dependency (vscode-languageclient) into the
# package, not into this project.
#   scripts/package-vscode.sh [--no-deps] [OUT.vsix]
#   --no-deps   leave node_modules out (no network; the package then lacks vscode-languageclient)
# Default OUT: dist/dtoverlay-check-vscode-VERSION.vsix
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
src="$repo/editors/vscode"
deps=1
if [ "${1:-}" = "--no-deps" ]; then deps=0; shift; fi
version=$(node -p "require('$src/package.json').version")
engine=$(node -p "require('$src/package.json').engines.vscode")
out=${1:-"$repo/dist/dtoverlay-check-vscode-$version.vsix"}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/extension"
cp "$src/package.json" "$src/extension.js" "$src/server.js" "$src/README.md" "$repo/LICENSE" "$stage/extension/"
if [ "$deps" = 1 ]; then
  (cd "$stage/extension" && npm install --omit=dev --no-audit --no-fund --no-package-lock --ignore-scripts >/dev/null)
fi

cat > "$stage/extension.vsixmanifest" <<XML
<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="dtoverlay-check" Version="$version" Publisher="dtoverlay-check" />
    <DisplayName>dtoverlay-check</DisplayName>
    <Description xml:space="preserve">Device-tree diagnostics, hover and navigation from dtoverlay-check lsp</Description>
    <Categories>Programming Languages,Linters</Categories>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="$engine" />
    </Properties>
  </Metadata>
  <Installation>
    <InstallationTarget Id="Microsoft.VisualStudio.Code" />
  </Installation>
  <Dependencies />
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true" />
    <Asset Type="Microsoft.VisualStudio.Services.Content.License" Path="extension/LICENSE" Addressable="true" />
  </Assets>
</PackageManifest>
XML

# one Default per file extension present, as vsce writes them
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
  (cd "$stage" && find . -type f -name '*.*' | sed 's/.*\.//' | sort -u) | while read -r ext; do
    case "$ext" in
      json) type=application/json ;;
      js|cjs|mjs) type=application/javascript ;;
      md) type=text/markdown ;;
      vsixmanifest|xml) type=text/xml ;;
      *) type=application/octet-stream ;;
    esac
    echo "  <Default Extension=\".$ext\" ContentType=\"$type\" />"
  done
  echo '  <Default Extension=".txt" ContentType="text/plain" />'
  echo '</Types>'
} > "$stage/[Content_Types].xml"

mkdir -p "$(dirname "$out")"
rm -f "$out"
(cd "$stage" && zip -qrX "$out" '[Content_Types].xml' extension.vsixmanifest extension)
echo "$out"
