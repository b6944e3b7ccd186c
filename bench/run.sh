#!/usr/bin/env bash
# Issue 6: every benchmark in one command. Builds in Release, writes the PNGs once, runs the training measurements
# (ours, PyTorch, the bare loops) in alternation so that load from other work on the machine hits both sides alike,
# then the feature cache, memory (ResNet50 at 224 px) and scoring benchmarks, prints the tables and writes them into
# BENCHMARKS.md. PyTorch's primary run does the same data work as ours (each PNG decoded and resized once, augmented
# every epoch), as installed and tuned as our engine is (malloc settings, channels-last); round 1 also runs it decoding every PNG
# every epoch, and ours with ReuseNativeMemory off. The bare loops step our ResNet module, torchvision's (scripted by
# PyTorch, run on TorchSharp's libtorch) and PyTorch's. Any other argument than --quick is refused; a failed
# measurement stops the run and prints the end of its log.
#
#   bash bench/run.sh            # the full run: 3 rounds, ResNet18 and ResNet50 at 224 and 128 px (about 18 min on 2 cores)
#   bash bench/run.sh --quick    # 1 round, ResNet18 only, fewer images (about 2 min); writes $TMPDIR/BENCHMARKS.quick.md,
#                                # so that a smoke run does not replace the full run's numbers in BENCHMARKS.md
#
# PyTorch is Debian's python3-torch / python3-torchvision under /usr/bin/python3 (PYTHON= overrides). Benchmarks are
# not part of `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=false
MARKDOWN=BENCHMARKS.md
case "$#:${1:-}" in
  0:) ;;
  1:--quick)
    QUICK=true
    MARKDOWN="${TMPDIR:-/tmp}/BENCHMARKS.quick.md"
    rm -f "$MARKDOWN" ;;
  *)
    echo "usage: bash bench/run.sh [--quick]   (unknown arguments: $*)" >&2
    exit 2 ;;
esac
PYTHON="${PYTHON:-/usr/bin/python3}"
COMMAND="bash bench/run.sh${1:+ $1}"
WORK="$(mktemp -d /tmp/mlnettransfer-bench-XXXXXX)"
RESULTS="$WORK/results.jsonl"
LOG="$WORK/log.txt"
# On failure, show the end of the log (each measurement's stderr goes there) and keep a copy before $WORK is removed.
on_exit() {
  local status=$?
  if (( status != 0 )); then
    echo "bench/run.sh failed (exit $status); last lines of the log:" >&2
    [[ -s "$LOG" ]] && tail -n 40 "$LOG" >&2
    [[ -s "$LOG" ]] && cp "$LOG" "${TMPDIR:-/tmp}/mlnettransfer-bench-log.txt" && echo "full log: ${TMPDIR:-/tmp}/mlnettransfer-bench-log.txt" >&2
  fi
  rm -rf "$WORK"
}
trap on_exit EXIT
: > "$RESULTS"
: > "$LOG"

if $QUICK; then
  ROUNDS=1; CONFIGS="resnet18:128:160 resnet18:224:64"
  CACHE_IMAGES=64; CACHE_EPOCHS=4; MEMORY_ARCH=resnet18; MEMORY_CROP=128; MEMORY_EPOCHS=10; MEMORY_IMAGES=32; SCORING_ARGS="--quick"
else
  ROUNDS=3; CONFIGS="resnet18:128:256 resnet18:224:96 resnet50:128:96 resnet50:224:64"
  CACHE_IMAGES=256; CACHE_EPOCHS=5; MEMORY_ARCH=resnet50; MEMORY_CROP=224; MEMORY_EPOCHS=10; MEMORY_IMAGES=64; SCORING_ARGS=""
fi

echo "building (Release) ..."
dotnet build -c Release bench/TrainingBench -v q -nologo | tail -n 3
dotnet build -c Release bench/ScoringBench -v q -nologo | tail -n 3
BENCH=(dotnet bench/TrainingBench/bin/Release/net10.0/TrainingBench.dll)
START_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
START_CPU="$(head -1 /proc/stat)"
SECONDS=0

# Runs one measurement and appends its RESULT line (with the round) to the results file.
measure() {
  local round="$1"; shift
  echo "[${SECONDS}s] round $round: $*" | tee -a "$LOG"
  if ! "$@" 2>>"$LOG" | tee -a "$LOG" | sed -n 's/^RESULT //p' | sed "s/^{/{\"round\": $round, /" >> "$RESULTS"; then
    echo "measurement failed: $*" >&2
    exit 1
  fi
}

echo "writing the PNGs ..."
"${BENCH[@]}" images --dir "$WORK/png" --count 400 --size 320

# torchvision's ResNets scripted by PyTorch, for the bare loop that runs them on TorchSharp's libtorch.
for arch in $(for config in $CONFIGS; do echo "${config%%:*}"; done | sort -u); do
  "$PYTHON" bench/TrainingBench/pytorch_train.py script --arch "$arch" --crop 0 --out "$WORK/$arch.pt" >> "$LOG" 2>&1
done

for round in $(seq 1 "$ROUNDS"); do
  for config in $CONFIGS; do
    IFS=: read -r arch crop images <<< "$config"
    steps=$(( images / 16 ))
    ours=("${BENCH[@]}" train --arch "$arch" --crop "$crop" --images "$images" --dir "$WORK/png")
    # PyTorch doing the same data work as ours: each PNG decoded and resized once (epoch 1), augmented every epoch; as
    # installed, and tuned as our engine is by default: glibc's malloc set as FineTuneOptions.ReuseNativeMemory sets
    # it, and channels-last memory format.
    torch=("$PYTHON" bench/TrainingBench/pytorch_train.py train --arch "$arch" --crop "$crop" --images "$images" --dir "$WORK/png" --cache true)
    # Alternate who goes first from round to round.
    if (( round % 2 == 1 )); then
      measure "$round" "${ours[@]}"; measure "$round" "${torch[@]}"; measure "$round" "${torch[@]}" --malloc reuse --channels-last true
    else
      measure "$round" "${torch[@]}" --malloc reuse --channels-last true; measure "$round" "${torch[@]}"; measure "$round" "${ours[@]}"
    fi
    # Round 1 only: PyTorch's usual way, its DataLoader workers decoding and resizing every PNG every epoch; and ours
    # with ReuseNativeMemory off, glibc's malloc as it comes.
    if (( round == 1 )); then
      measure "$round" "$PYTHON" bench/TrainingBench/pytorch_train.py train --arch "$arch" --crop "$crop" --images "$images" --dir "$WORK/png" --cache false
      measure "$round" "${ours[@]}" --reuse-native-memory false
    fi
    # The bare loops warm up for as many steps as they time (one epoch's worth, as ours warms up for epoch 1); all of
    # them with the engine's malloc settings. torchvision's module on TorchSharp runs NCHW (ours is channels-last on
    # the CPU by itself); PyTorch's bare loop runs channels-last, as ours, and NCHW, as torchvision's on TorchSharp.
    measure "$round" "${BENCH[@]}" bare --arch "$arch" --crop "$crop" --steps "$steps" --warmup "$steps"
    measure "$round" "${BENCH[@]}" bare --arch "$arch" --crop "$crop" --steps "$steps" --warmup "$steps" --module torchscript --script "$WORK/$arch.pt"
    measure "$round" "${BENCH[@]}" train --arch "$arch" --crop "$crop" --images "$images" --variant memory
    measure "$round" "$PYTHON" bench/TrainingBench/pytorch_train.py bare --arch "$arch" --crop "$crop" --steps "$steps" --warmup "$steps" --malloc reuse --channels-last true
    measure "$round" "$PYTHON" bench/TrainingBench/pytorch_train.py bare --arch "$arch" --crop "$crop" --steps "$steps" --warmup "$steps" --malloc reuse
  done
done

measure 1 "${BENCH[@]}" cache --arch resnet18 --crop 224 --images "$CACHE_IMAGES" --epochs "$CACHE_EPOCHS" --dir "$WORK/png"
measure 1 "${BENCH[@]}" cache --arch resnet18 --crop 224 --images "$CACHE_IMAGES" --epochs 2 --cache false --dir "$WORK/png"
measure 1 "${BENCH[@]}" memory --arch "$MEMORY_ARCH" --crop "$MEMORY_CROP" --images "$MEMORY_IMAGES" --epochs "$MEMORY_EPOCHS" --dir "$WORK/png"

END_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
END_CPU="$(head -1 /proc/stat)"
TRAIN_SECONDS=$SECONDS
"${BENCH[@]}" report --results "$RESULTS" --markdown "$MARKDOWN" --command "$COMMAND" --quick "$QUICK" \
  --load-start "$START_LOAD" --load-end "$END_LOAD" --cpu-start "$START_CPU" --cpu-end "$END_CPU" --seconds "$TRAIN_SECONDS"

cp "$RESULTS" "${TMPDIR:-/tmp}/mlnettransfer-bench-results.jsonl"
echo "raw results: ${TMPDIR:-/tmp}/mlnettransfer-bench-results.jsonl; log of every measurement: ${TMPDIR:-/tmp}/mlnettransfer-bench-log.txt"
cp "$LOG" "${TMPDIR:-/tmp}/mlnettransfer-bench-log.txt"
echo "[${SECONDS}s] scoring ..."
dotnet run -c Release --no-build --project bench/ScoringBench -- $SCORING_ARGS --markdown "$MARKDOWN"
echo "done in ${SECONDS}s; $MARKDOWN updated (sections 'Training (issue 6)' and 'Scoring (issue 4, item 8)')."
