#!/usr/bin/env bash
# Fails when the committed generated files differ from what the build emits (run after `npm run build`).
set -euo pipefail
cd "$(dirname "$0")/.."
generated=(charts tools/kubernetes/generated)
if ! git diff --exit-code --stat -- "${generated[@]}" || [[ -n $(git status --porcelain --untracked-files=all -- "${generated[@]}") ]]; then
  git status --short -- "${generated[@]}"
  echo "check-generated: the committed generated files differ from what the build emits; run \`npm run build\` and commit the result" >&2
  exit 1
fi
echo "check-generated: committed generated files match the build"
