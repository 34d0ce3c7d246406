#!/bin/sh
# The README's test command: install what the tests need, build, run every test, print the totals.
set -u
cd "$(dirname "$0")/.."
sh test/setup.sh || exit 1
mkdir -p test/.tmp
npx vitest run --reporter=default --reporter=json --outputFile.json=test/.tmp/vitest.json
rc=$?
node test/summary.mjs test/.tmp/vitest.json || rc=1
exit $rc
