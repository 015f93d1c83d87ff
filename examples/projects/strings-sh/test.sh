#!/usr/bin/env bash
# Run with: bash test.sh   (exit 0 when every check passes, 1 otherwise)
set -u
cd "$(dirname "$0")"
source ./strings.sh

passed=0 failed=0
check() { # check NAME EXPECTED ACTUAL
  if [[ $2 == "$3" ]]; then
    echo "ok   $1"
    passed=$((passed + 1))
  else
    echo "FAIL $1: expected '$2', got '$3'"
    failed=$((failed + 1))
  fi
}

check "upper"            "HELLO"        "$(upper hello)"
check "reverse"          "olleh"        "$(reverse hello)"
check "reverse empty"    ""             "$(reverse "")"
check "slugify word"     "hello"        "$(slugify Hello)"
check "slugify sentence" "hello-world"  "$(slugify "Hello, World!")"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
