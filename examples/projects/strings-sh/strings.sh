# A few string helpers in plain bash: the shell example project for examples/demo.sh.

# upper TEXT: TEXT in upper case.
upper() { printf '%s\n' "${1^^}"; }

# reverse TEXT: TEXT backwards.
reverse() {
  local s=$1 out="" i
  for ((i = ${#s} - 1; i >= 0; i--)); do out+=${s:i:1}; done
  printf '%s\n' "$out"
}

# slugify TEXT: lower case, every non-alphanumeric character replaced by '-'.
# BUG (on purpose, so that the demo shows a failing project): runs of separators are not
# collapsed into one '-', and leading/trailing ones are not trimmed.
slugify() {
  local s=${1,,}
  printf '%s\n' "${s//[^a-z0-9]/-}"
}
