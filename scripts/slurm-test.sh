#!/usr/bin/env bash
# `kymo sweep --slurm --submit` against a real single-node Slurm on this
# machine: starts munged, slurmctld and slurmd (foreground processes of this
# script, with a minimal slurm.conf for localhost in a temporary folder, on
# ports 16817/16818), submits a 2 × 2 sweep of a tiny notebook as a job
# array, waits for it, checks that `kymo sweep` then verifies all 4 points
# and that `kymo runs compare` reads them; then (part 2) an array whose
# points outlast the time limit finishes every point by resuming (signal,
# requeue, scancel, a duplicate submission); and stops every daemon it
# started (also on failure). Needs root and `apt-get install slurm-wlm munge`.
#   scripts/slurm-test.sh            (KYMO=path/to/kymo to test another binary)
# Run by .ci/run after the test suite (it installs slurm-wlm and munge). Last run: Debian 12,
# slurm-wlm 22.05.8, munge 0.5.15, 2 CPUs, as root: part 1 passed (job array of 4
# tasks, all exit 0, about 8 s of Slurm time); part 2 see docs/records.md, "Slurm". The temporary folder with the
# daemons' logs is kept for inspection when the test fails, and removed when it passes.
set -euo pipefail
cd "$(dirname "$0")/.."
KYMO="$(realpath "${KYMO:-.build/debug/kymo}")"
for tool in sbatch squeue sinfo slurmctld slurmd munged; do
  command -v "$tool" >/dev/null || { echo "slurm-test: no $tool (apt-get install slurm-wlm munge)"; exit 2; }
done
[ -x "$KYMO" ] || { echo "slurm-test: no kymo binary at $KYMO (swift build)"; exit 2; }

tmp="$(mktemp -d /tmp/kymo-slurm-XXXXXX)"
pids=()
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  # the daemons' logs and the runs stay to look at when the test failed; a pass leaves nothing in /tmp
  if [ "$status" -eq 0 ]; then rm -rf "$tmp"; else echo "slurm-test: logs kept in $tmp"; fi
}
trap cleanup EXIT
host="$(hostname -s)"
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/munge" "$tmp/work"
chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.socket" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" &
pids+=($!)

cat > "$tmp/slurm.conf" <<CONF
ClusterName=kymotest
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"
for i in $(seq 50); do [ -S "$tmp/munge/munge.socket" ] && break; sleep 0.1; done
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
pids+=($!)
for i in $(seq 100); do
  state="$(sinfo -h -o %T 2>/dev/null || true)"
  [ "$state" = "idle" ] && break
  sleep 0.3
done
[ "$state" = "idle" ] || { echo "slurm-test: the node did not come up ($state)"; tail -5 "$tmp"/slurm*.log; exit 1; }
echo "slurm-test: slurmctld and slurmd up on $host ($(sinfo --version))"

cd "$tmp/work"
cat > nb.kymo <<'NB'
%% Knobs
let a = 1
%% Draw
let x = randn([4]).sum().item()
log("y", a * 10 + x)
NB
out="$("$KYMO" sweep nb.kymo --set a=1,2 --seeds 1,2 --threads 1 --slurm --submit)"
echo "$out"
job="$(echo "$out" | sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p')"
[ -n "$job" ] || { echo "slurm-test: sbatch did not submit"; exit 1; }
for i in $(seq 600); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || { echo "slurm-test: job $job still queued after 5 minutes"; squeue; exit 1; }
again="$("$KYMO" sweep nb.kymo --set a=1,2 --seeds 1,2 --threads 1)"
echo "$again"
echo "$again" | grep -q "4 already complete (seal intact; unsigned), 0 to run" || { echo "slurm-test: the array's records were not all verified"; ls runs/sweep-*/logs; cat runs/sweep-*/logs/slurm-*.log | tail -20; exit 1; }
id="$(echo "$again" | sed -n 's/^sweep \(sweep-[0-9a-f]*\): complete.*/\1/p')"
"$KYMO" runs compare "$id" --runs runs
echo "slurm-test: part 1 passed (job array $job, 4 points)"

# Part 2: points longer than the time limit. Each task gets SIGUSR1 before
# its 1-minute limit (--signal=B:USR1@40; Slurm's own checks may deliver it
# late, and then the limit's SIGTERM does the same), checkpoints, records its
# point `interrupted` and requeues itself (after USR1); a requeued or
# re-submitted task resumes the point from its checkpoint. The first round is
# submitted twice (the duplicate's tasks find the points claimed or complete
# and run nothing) and one task is cancelled with scancel. Rounds are
# re-submitted until every point is complete: one record per point, resumed.
cat > long.kymo <<'NB'
%% Data
seed()
let steps = 100
let data = moving_mnist(train: 24, test: 7, frames: 4, size: 32)
%% Train
let m = convlstm(layers: 1, hidden: 4, kernel: 3, size: 32, patch: 4, frames_in: 2, frames_out: 2)
let h = train(m, data.train, steps: steps, batch: 5, lr: 1e-2)
log("last", h.loss[steps - 1])
NB
ln -sfn "${KYMO_DATA:-$HOME/.local/share/kymo}" data
# Steps for about 40 s of training on one core (measured here: 20 steps against 220): a
# task's first attempt gets about 20 s (the warning comes 40 s before the 1-minute limit;
# a requeued task waits about 2 minutes in the queue, which Slurm imposes).
probe() { local t0 t1; t0=$(date +%s.%N); "$KYMO" run long.kymo --set "steps=$1" --threads 1 --runs runs-probe >/dev/null; t1=$(date +%s.%N); python3 -c "print($t1 - $t0)"; }
short=$(probe 20); long=$(probe 220)
steps=$(python3 -c "print(min(50000, max(200, int(40 / max(1e-4, ($long - $short) / 200)))))")
args=(long.kymo --set "steps=$steps" --seeds 1,2 --threads 1)
echo "slurm-test: part 2: 2 points of $steps steps each, a 1-minute limit per task"
wait_job() { for i in $(seq 1800); do [ -z "$(squeue -h -j "$1" 2>/dev/null)" ] && return 0; sleep 1; done; echo "slurm-test: job $1 still queued"; squeue; exit 1; }
submit() { "$KYMO" sweep "${args[@]}" --slurm --submit --sbatch=--time=1 --sbatch=--signal=B:USR1@40 | sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p'; }
first="$(submit)"; dup="$(submit)"
[ -n "$first" ] && [ -n "$dup" ] || { echo "slurm-test: part 2 did not submit"; exit 1; }
# Cancel task 0 once it runs (its record then says interrupted; a later round resumes it).
for i in $(seq 120); do [ "$(squeue -h -j "${first}_0" -o %T 2>/dev/null)" = "RUNNING" ] && break; sleep 0.5; done
sleep 5; scancel "${first}_0" || true
wait_job "$first"; wait_job "$dup"
complete=""
for round in $(seq 8); do
  state="$("$KYMO" sweep "${args[@]}" --slurm)"
  echo "$state" | head -1
  if echo "$state" | grep -q "2 already complete (seal intact; unsigned), 0 to run"; then complete=yes; break; fi
  job="$(submit)"; [ -n "$job" ] || { echo "slurm-test: round $round did not submit"; exit 1; }
  wait_job "$job"
done
[ -n "$complete" ] || { echo "slurm-test: part 2: points never completed"; tail -20 runs/sweep-*/logs/*.log; exit 1; }
python3 - <<'PY'
import json, glob
recs = [json.load(open(p)) for p in glob.glob("runs/*/record.json")]
recs = [r for r in recs if r["notebook"]["path"] == "long.kymo"]
assert len(recs) == 2, f"one record per point, got {len(recs)}: {[r['id'] for r in recs]}"
assert all(r["status"] == "complete" for r in recs), [r["status"] for r in recs]
resumed = [len(r.get("resumes", [])) for r in recs]
assert all(n >= 1 for n in resumed), f"every point was resumed at least once: {resumed}"
print("slurm-test: part 2: 2 records, complete, resumed", resumed, "times")
PY
id2="$("$KYMO" sweep "${args[@]}" | sed -n 's/^sweep \(sweep-[0-9a-f]*\): complete.*/\1/p')"
"$KYMO" runs compare "$id2" --runs runs
echo "slurm-test: passed (job array $job, 4 points; time-limited array resumed to completion; daemons stopped on exit)"
