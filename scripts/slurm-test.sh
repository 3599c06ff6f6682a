#!/usr/bin/env bash
# `kymo sweep --slurm --submit` against a real single-node Slurm on this
# machine: starts munged, slurmctld and slurmd (foreground processes of this
# script, with a minimal slurm.conf for localhost in a temporary folder, on
# ports 16817/16818), submits a 2 × 2 sweep of a tiny notebook as a job
# array, waits for it, checks that `kymo sweep` then verifies all 4 points
# and that `kymo runs compare` reads them, and stops every daemon it started
# (also on failure). Needs root and `apt-get install slurm-wlm munge`.
#   scripts/slurm-test.sh            (KYMO=path/to/kymo to test another binary)
# Run by .ci/run after the test suite (it installs slurm-wlm and munge). Last run: Debian 12,
# slurm-wlm 22.05.8, munge 0.5.15, 2 CPUs, as root: passed (job array of 4
# tasks, all exit 0, about 8 s of Slurm time). The temporary folder with the
# daemons' logs is kept for inspection.
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
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
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
echo "slurm-test: passed (job array $job, 4 points; daemons stopped on exit)"
