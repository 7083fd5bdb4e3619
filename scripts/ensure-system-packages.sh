#!/bin/sh
# Installs Debian's chromium (browser tests), the Noto CJK fonts (Chinese in pages, charts
# and PDF reports), LibreOffice Writer and Calc without their GUI (the annual report's Word file is
# converted with it in a test, as a bureau would open it; sheets it saved are imported) and poppler-utils (pdftoppm, to look
# at the report's pages as pictures) when they are missing. Needs root or sudo; does nothing
# when all are there.
set -e
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -d /usr/share/fonts/opentype/noto ] || missing="$missing fonts-noto-cjk"
[ -x /usr/bin/soffice ] || missing="$missing libreoffice-writer-nogui"
# Calc too: the sheet import is tested on files LibreOffice itself saved (.xls, .ods, .xlsx).
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing="$missing libreoffice-calc-nogui"
[ -x /usr/bin/pdftoppm ] || missing="$missing poppler-utils"
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
