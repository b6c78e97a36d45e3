#!/usr/bin/env bash
# Refreshes the vendored Apache ECharts (served by the binary from /static; no CDN, since
# users' machines may have no internet). Usage: bash scripts/vendor-echarts.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${1:-5.6.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack -q "echarts@$VERSION" >/dev/null && tar xzf "echarts-$VERSION.tgz")
cp "$tmp/package/dist/echarts.min.js" crates/web/assets/vendor/echarts.min.js
cp "$tmp/package/LICENSE" crates/web/assets/vendor/ECHARTS-LICENSE
echo "ECharts $VERSION vendored; update ECHARTS_VERSION in crates/web/src/assets.rs"
