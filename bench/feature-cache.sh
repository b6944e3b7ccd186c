#!/usr/bin/env bash
# Issue 12, item 10: feature extraction with the K-view feature cache against the backbone run every epoch, on the demo
# data (the embedded synthetic chest X-rays, 400 training and 100 validation images at 128 px, random augmentation
# cropping 112 px) with ML.NET's pretrained ResNet18. Builds in Release, runs each measurement as a fresh process, the
# cached and uncached runs back to back with the order alternating by round, and prints the markdown table that
# BENCHMARKS.md's section "Feature cache with K augmented views (issue 12, item 10)" shows (that section is written by
# hand from it). Not part of `dotnet test`.
#
#   bash bench/feature-cache.sh              # 2 rounds of 6 epochs, K = 4 (about 3 minutes on 2 cores)
#   ROUNDS=1 EPOCHS=4 bash bench/feature-cache.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if (( $# > 0 )); then
  echo "usage: [ROUNDS=2] [EPOCHS=6] [VIEWS=4] bash bench/feature-cache.sh   (unknown arguments: $*)" >&2
  exit 2
fi
ROUNDS="${ROUNDS:-2}"
EPOCHS="${EPOCHS:-6}"
VIEWS="${VIEWS:-4}"
RESULTS="$(mktemp /tmp/mlnettransfer-views-XXXXXX.jsonl)"
LOG="${RESULTS%.jsonl}.log"

echo "building (Release) ..."
dotnet build -c Release bench/TrainingBench -v q -nologo | tail -n 3
BENCH=(dotnet bench/TrainingBench/bin/Release/net10.0/TrainingBench.dll)
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); nproc $(nproc); CPU model: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
SECONDS=0
measure() {
  local round="$1"; shift
  echo "[${SECONDS}s] round $round: $*"
  "${BENCH[@]}" views --epochs "$EPOCHS" --views "$VIEWS" "$@" 2>>"$LOG" | sed -n 's/^RESULT //p' | sed "s/^{/{\"round\": $round, /" >> "$RESULTS"
}

for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 == 1 )); then
    measure "$round" --cache true; measure "$round" --cache false
  else
    measure "$round" --cache false; measure "$round" --cache true
  fi
done

echo "done in ${SECONDS}s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); raw results: $RESULTS; log: $LOG"
"${BENCH[@]}" views-report --results "$RESULTS"
