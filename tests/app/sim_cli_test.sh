#!/usr/bin/env bash
# End-to-end checks of `proteus sim`: byte-identical output for one seed, different metrics for
# another repetition, exit codes and error lines for bad input.
set -euo pipefail
proteus=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$proteus" sim "$src/configs/quickstart.toml" --format json >"$tmp/a.json"
"$proteus" sim "$src/configs/quickstart.toml" --format json >"$tmp/b.json"
cmp -s "$tmp/a.json" "$tmp/b.json" || fail "two runs of the same seed printed different bytes"
"$proteus" sim "$src/configs/quickstart.toml" --format json --rep 1 >"$tmp/c.json"
grep -q '"status":"ok"' "$tmp/a.json" || fail "quickstart rep 0 not ok: $(cat "$tmp/a.json")"
grep -q '"rep":1' "$tmp/c.json" || fail "rep 1 not reported"
metrics() { sed 's/.*"metrics"://' "$1"; }
[[ "$(metrics "$tmp/a.json")" != "$(metrics "$tmp/c.json")" ]] || fail "rep 1 printed the same metrics as rep 0"
for key in '"metrics"' '"seed"' '"rep"' '"status"' '"events_processed"' '"mm_pnl"' '"as_loss_1s"'; do
  grep -q "$key" "$tmp/a.json" || fail "json lacks $key"
done

# --reps N prints one JSON line per repetition, each the bytes of that --rep alone; without
# --diagnostics the output is unchanged, with it a diagnostics object follows the metrics.
"$proteus" sim "$src/configs/quickstart.toml" --format json --reps 2 >"$tmp/reps.json"
[[ $(wc -l <"$tmp/reps.json") -eq 2 ]] || fail "--reps 2 printed $(wc -l <"$tmp/reps.json") lines"
cat "$tmp/a.json" "$tmp/c.json" | cmp -s - "$tmp/reps.json" || fail "--reps 2 differs from --rep 0 and --rep 1"
"$proteus" sim "$src/configs/quickstart.toml" --format json --diagnostics >"$tmp/diag.json"
grep -q '"diagnostics":{"n_mm_self":' "$tmp/diag.json" || fail "no diagnostics: $(cat "$tmp/diag.json")"
[[ "$(sed 's/,"diagnostics":{[^}]*}//' "$tmp/diag.json")" == "$(cat "$tmp/a.json")" ]] || fail "--diagnostics changed the rest of the output"
set +e
"$proteus" sim "$src/configs/quickstart.toml" --reps 2 2>"$tmp/err.txt" >/dev/null
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "--reps 2 in table format exited $rc, want 2"
grep -q "needs --format json" "$tmp/err.txt" || fail "--reps error: $(cat "$tmp/err.txt")"

# Unknown key: exit 2, one line naming file, line and key.
cat >"$tmp/bad.toml" <<'TOML'
[run]
duration_s = 1.0

[agents.market_maker]
h0 = 0.02
kapa = 0.01
TOML
set +e
"$proteus" sim "$tmp/bad.toml" 2>"$tmp/err.txt" >/dev/null
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "unknown key exited $rc, want 2"
grep -q "bad.toml:6:" "$tmp/err.txt" || fail "error does not name file and line: $(cat "$tmp/err.txt")"
grep -q "kapa" "$tmp/err.txt" || fail "error does not name the key: $(cat "$tmp/err.txt")"
grep -q "^error: " "$tmp/err.txt" || fail "error line does not start with 'error: '"

# Override applied: a market maker with a huge spread trades less.
"$proteus" sim "$src/configs/quickstart.toml" --format json --set agents.market_maker.h0=0.2 >"$tmp/wide.json"
[[ "$(metrics "$tmp/wide.json")" != "$(metrics "$tmp/a.json")" ]] || fail "--set had no effect"

# Event log written and replayable lines present.
"$proteus" sim "$src/configs/quickstart.toml" --events "$tmp/log.jsonl" >/dev/null
grep -q '"type":"trade"' "$tmp/log.jsonl" || fail "event log has no trades"

# Memory of a run does not grow with its length (no event log): 40x longer, same peak RSS.
/usr/bin/time -f "%M" -o "$tmp/short.rss" "$proteus" sim "$src/configs/quickstart.toml" --set run.duration_s=60 >/dev/null
/usr/bin/time -f "%M" -o "$tmp/long.rss" "$proteus" sim "$src/configs/quickstart.toml" --set run.duration_s=2400 >/dev/null
short=$(tail -1 "$tmp/short.rss"); long=$(tail -1 "$tmp/long.rss")
(( long * 10 <= short * 11 )) || fail "peak RSS grew from ${short} KB (60 s) to ${long} KB (2400 s)"

"$proteus" --version | grep -q "^proteus " || fail "--version"
"$proteus" sim --help | grep -q -- "--events" || fail "sim --help"
set +e
"$proteus" sim 2>/dev/null; rc=$?
set -e
[[ $rc -eq 2 ]] || fail "missing argument exited $rc, want 2"
echo "sim cli: all checks passed"
