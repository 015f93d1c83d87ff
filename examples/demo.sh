#!/usr/bin/env bash
# orch demo: run the test suites of several projects in parallel, one shell worker each.
#
#   npm run demo              # builds dist/orch, then runs this script
#   bash examples/demo.sh     # uses an existing dist/orch (or $ORCH)
#
# It uses a throwaway ORCH_HOME (mktemp) unless ORCH_HOME is set, and always stops orch and
# kills its workers on the way out. One project's tests fail on purpose, to show how orch
# reports a failure: the demo still exits 0. It exits non-zero only if orch itself misbehaves.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ORCH=${ORCH:-$here/../dist/orch}
if [[ ! -x $ORCH ]]; then
  echo "demo: no orch binary at $ORCH: build it first with 'npm run build'" >&2
  exit 2
fi

# project directory -> the command that runs its tests
projects=(calc-py strings-sh json-node)
declare -A test_cmd=(
  [calc-py]="python3 -B -m unittest -v"
  [strings-sh]="bash test.sh"
  [json-node]="node --test test/config.mjs"
)

# ---------------------------------------------------------------------------------------------
# A private ORCH_HOME, and cleanup that always runs.
if [[ -z ${ORCH_HOME:-} ]]; then
  ORCH_HOME=$(mktemp -d "${TMPDIR:-/tmp}/orch-demo.XXXXXX")
  own_home=1
else
  own_home=0
fi
export ORCH_HOME
# orch refuses to run as root (agents would get root's rights); a throwaway demo on a CI box may
if [[ $(id -u) == 0 && -z ${ORCH_ALLOW_ROOT:-} ]]; then
  echo "(running as root: ORCH_ALLOW_ROOT=1 for this demo; run orch itself as a normal user)"
  export ORCH_ALLOW_ROOT=1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/orch-demo-results.XXXXXX")

cleanup() {
  local rc=$?
  echo
  echo "==> orch stop --kill-workers"
  "$ORCH" stop --kill-workers || rc=3
  rm -rf "$work"
  if ((own_home)); then rm -rf "$ORCH_HOME"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "demo: orch misbehaved: \"$BASH_COMMAND\" failed with exit $?" >&2' ERR

orch() {
  "$ORCH" "$@"
}

# ---------------------------------------------------------------------------------------------
echo "==> orch start   (ORCH_HOME=$ORCH_HOME)"
orch start

echo
echo "==> one shell worker per project"
for p in "${projects[@]}"; do
  printf '  orch add-worker --type shell --project examples/projects/%-10s --name %-10s -> ' "$p" "$p"
  orch add-worker --type shell --project "$here/projects/$p" --name "$p"
done

echo
echo "==> send each project's tests (no --wait: they all run at once)"
declare -A task_id
t0=$(date +%s%N)
for p in "${projects[@]}"; do
  task_id[$p]=$(orch send "$p" --timeout 120 -- "${test_cmd[$p]}")
  printf '  %-10s %-30s task %s\n' "$p" "${test_cmd[$p]}" "${task_id[$p]}"
done

echo
echo "==> wait for each task: orch task ID --wait --json"
for p in "${projects[@]}"; do
  orch task "${task_id[$p]}" --wait --json >"$work/$p.json"
done
t1=$(date +%s%N)

# Task JSON -> "status<TAB>exitCode<TAB>seconds" (node is there: orch's build needs it).
summary() {
  node -e '
    const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const final = ["succeeded", "failed", "timed_out", "cancelled"];
    if (t.id === undefined || !final.includes(t.status)) {
      console.error(`not a finished task: ${JSON.stringify(t).slice(0, 200)}`);
      process.exit(1);
    }
    const secs = (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000;
    console.log([t.status, t.exitCode ?? "-", secs.toFixed(2)].join("\t"));
  ' "$1"
}
output_of() {
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).output ?? "")' "$1"
}

echo
printf '%-12s %-10s %-5s %s\n' PROJECT STATUS EXIT DURATION
failing=()
total=0
for p in "${projects[@]}"; do
  info=$(summary "$work/$p.json")
  IFS=$'\t' read -r status code secs <<<"$info"
  printf '%-12s %-10s %-5s %ss\n' "$p" "$status" "$code" "$secs"
  total=$(awk -v a="$total" -v b="$secs" 'BEGIN { printf "%.2f", a + b }')
  if [[ $status != succeeded ]]; then failing+=("$p"); fi
done
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
echo
echo "${#projects[@]} projects, ${#failing[@]} failing; wall clock ${wall}s for ${total}s of tests"

for p in "${failing[@]}"; do
  echo
  echo "---- output of $p (${test_cmd[$p]}) ----"
  output_of "$work/$p.json"
done

echo
echo "==> orch results"
orch results

echo
echo "==> the same as a workflow: orch run examples/workflows/parallel-tests.yaml"
echo "    (the summary step needs every test step, so it is skipped: one project fails on purpose)"
run_rc=0
orch run "$here/workflows/parallel-tests.yaml" || run_rc=$?
if ((run_rc != 1)); then
  echo "demo: expected orch run to exit 1 (one step failed on purpose), got $run_rc" >&2
  exit 1
fi

echo
echo "==> orch report last --format html -o $work/report.html   (one self-contained page with a timeline)"
orch report last --format html -o "$work/report.html"
echo
echo "==> orch report last   (markdown)"
orch report last >"$work/report.md"
head -25 "$work/report.md"

echo
echo "==> orch backup (a consistent copy while orch runs) and orch export-state (state.json)"
orch backup "$work/orch-backup.db"
orch export-state "$work/state.json"

echo
echo "==> a pool task: orch submit --priority high --wait (any shell worker may take it)"
orch submit --priority high --wait -- 'echo "taken by $ORCH_WORKER"'

