#!/bin/sh
# Rebuild the pictures in the README: the first page of every shipped PDF (every variant).
# Builds a scratch copy of the project, so the pictures show a first edition whatever reports/
# holds; the fixed date keeps them reproducible. Needs pdftoppm (Debian's poppler-utils).
set -eu
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r templates data "$scratch"/
mkdir -p docs/images
python3 generate.py --project "$scratch" --date 2026-11-28 --quiet
for pdf in "$scratch"/reports/*.pdf; do
  pdftoppm -r 70 -png -f 1 -l 1 -singlefile "$pdf" "docs/images/$(basename "$pdf" .pdf)"
done
ls docs/images
