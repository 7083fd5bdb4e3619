#!/bin/sh
# Installs Debian's chromium (browser tests) and the Noto CJK fonts (Chinese in pages, charts
# and PDF reports) when they are missing. Needs root or sudo; does nothing when both are there.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -d /usr/share/fonts/opentype/noto ] || missing="$missing fonts-noto-cjk"
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
