#!/bin/sh
# Rebuild the pictures in the README: the first page of every shipped document.
# Needs pdftoppm (Debian's poppler-utils). The fixed date keeps the pictures reproducible.
set -eu
cd "$(dirname "$0")/.."
python3 generate.py --date 2026-11-28 --quiet
for pdf in reports/*.pdf; do
  pdftoppm -r 70 -png -f 1 -l 1 -singlefile "$pdf" "docs/images/$(basename "$pdf" .pdf)"
done
ls docs/images
