#!/usr/bin/env bash
# End-to-end test of jobs/slurm/ on a real one-node SLURM cluster started here (issue 6):
# sweep.sbatch at 2 tasks == `mpirun -np 2`; a sweep interrupted with SIGTERM and resumed by
# requeue == the same; a 3-shard array job merged == the same. Needs root (or sudo).
#   scripts/test-slurm.sh [PROTEUS_BINARY]          (make test-slurm builds it first)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
proteus=$(realpath "${1:-$repo/build/release/src/app/proteus}")
started=$(date +%s)

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n -E "$0" "$@"
  fi
  echo "SKIPPED: test-slurm needs root or passwordless sudo to run munged, slurmctld and slurmd" >&2
  exit 0
fi
[[ -x $proteus ]] || { echo "error: $proteus not built (make build)" >&2; exit 2; }

python=
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c "import h5py" 2>/dev/null; then python=$candidate; break; fi
done
[[ -n $python ]] || { echo "error: no python3 with h5py (apt-get install python3-h5py)" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "test-slurm: installing slurm-wlm and munge" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null
fi

work=$(mktemp -d /tmp/proteus-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local rc=$?
  # Stop only the daemons this script started, by their pid files.
  for name in slurmd slurmctld munged; do
    local pidfile=$work/run/$name.pid
    if [[ -s $pidfile ]]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  sleep 1
  for name in slurmd slurmctld munged; do
    local pidfile=$work/run/$name.pid
    if [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    fi
  done
  if ((rc != 0)); then
    echo "test-slurm: FAILED (exit $rc); logs:" >&2
    for log in "$work"/log/*.log "$work"/jobs/*.log; do
      [[ -f $log ]] || continue
      echo "---- $log" >&2
      tail -n 40 "$log" >&2
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work"/{run,log,spool,state,munge,munge-run,jobs,out}
host=$(hostname)
cpus=$(nproc)
mem_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
ctld_port=${PROTEUS_SLURMCTLD_PORT:-16817}
slurmd_port=${PROTEUS_SLURMD_PORT:-16818}

# munged on a private socket and key, so a system munged (if any) is left alone.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$work/munge" "$work/munge-run"
chmod 700 "$work/munge"
chmod 755 "$work/munge-run"  # munged wants the socket's folder searchable by every user
chmod 400 "$work/munge/munge.key"
socket=$work/munge-run/munge.socket
runuser -u munge -- munged --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge-run/munged.pid" --log-file="$work/munge/munged.log" \
  --seed-file="$work/munge/munged.seed"
for _ in $(seq 50); do [[ -s $work/munge-run/munged.pid ]] && break; sleep 0.1; done
cp "$work/munge-run/munged.pid" "$work/run/munged.pid"

export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=proteus-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
# cred_expire is also the delay before a requeued job may start (default 120 s, minimum 5).
AuthInfo=socket=$socket,cred_expire=5
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobRequeue=1
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MinJobAge=600
KillWait=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
slurmctld -i -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
  state=$(sinfo -h -N -o %t 2>/dev/null || true)
  [[ $state == idle ]] && break
  sleep 0.2
done
[[ $state == idle ]] || { echo "error: node not idle after 20 s (state '$state')" >&2; exit 1; }
echo "test-slurm: one-node cluster up ($host, $cpus CPUs) after $(($(date +%s) - started)) s" >&2

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export PROTEUS_BIN=$proteus PROTEUS_JOBS_DIR=$repo/jobs/slurm
sweep=$repo/tests/sweep/fixtures/small.toml
compare() { "$python" "$repo/tests/sweep/compare_panels.py" "$1" "$2"; }
attr() { "$python" -c "import h5py,sys; print(int(h5py.File(sys.argv[1],'r').attrs[sys.argv[2]]))" "$1" "$2"; }
done_rows() { "$python" -c "import h5py,sys; print(int((h5py.File(sys.argv[1],'r')['runs/status'][()] != 255).sum()))" "$1"; }
job_field() { scontrol -o show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1; }
# Waits until every task of job $1 has ended; fails after $2 seconds.
wait_job() {
  local deadline=$(($(date +%s) + $2))
  while squeue -h -j "$1" 2>/dev/null | grep -q .; do
    (($(date +%s) < deadline)) || { echo "error: job $1 still running after $2 s" >&2; return 1; }
    sleep 0.5
  done
}
expect_exit() {  # job, expected "exit:signal"
  local code
  code=$(job_field "$1" ExitCode)
  [[ $code == "$2" ]] || { echo "error: job $1 ExitCode $code, expected $2" >&2; scontrol show job "$1" >&2; return 1; }
}
# Waits until job $1 created panel $2, then 3 s more (the panel is locked while written; 3 s
# in, with 300 ms runs on 2 ranks, about 18 of 48 runs are flushed).
wait_for_panel() {
  local deadline=$(($(date +%s) + 60))
  until [[ -e $2 ]]; do
    (($(date +%s) < deadline)) || { echo "error: job $1 never created $2" >&2; return 1; }
    sleep 0.1
  done
  sleep 3
}
# Logs land where the scripts' own #SBATCH --output puts them: the submission folder.
submit() { sbatch --parsable --chdir="$work/jobs" "$@"; }

# Reference: the same sweep run directly with mpirun -np 2.
mpirun -np 2 "$proteus" sweep "$sweep" --out "$work/out/direct.h5" --quiet

# 1. sweep.sbatch with 2 tasks (srun --mpi=pmix).
job=$(submit --ntasks=2 "$repo/jobs/slurm/sweep.sbatch" "$sweep" "$work/out/srun.h5")
wait_job "$job" 120
expect_exit "$job" 0:0
compare "$work/out/direct.h5" "$work/out/srun.h5"
echo "test-slurm: ok 1: sweep.sbatch (srun --mpi=pmix, 2 tasks) == mpirun -np 2 [$(($(date +%s) - started)) s]" >&2

# 2. `scancel --signal=TERM` (to the job's steps: every srun task) mid-way: rank 0 flushes and
# exits 3, so does the job; resubmitting the same command resumes to the identical panel.
out=$work/out/resubmitted.h5
job=$(PROTEUS_SWEEP_RUN_DELAY_MS=300 submit --ntasks=2 "$repo/jobs/slurm/sweep.sbatch" "$sweep" "$out")
wait_for_panel "$job" "$out"
scancel --signal=TERM "$job"
wait_job "$job" 60
expect_exit "$job" 3:0
partial=$(done_rows "$out")
((partial > 0 && partial < 48)) || { echo "error: $partial of 48 runs after SIGTERM" >&2; exit 1; }
[[ $(attr "$out" complete) == 0 ]]
job=$(submit --ntasks=2 "$repo/jobs/slurm/sweep.sbatch" "$sweep" "$out")
wait_job "$job" 120
expect_exit "$job" 0:0
grep -q -- "--resume" "$work/jobs/proteus-sweep-$job.log"
compare "$work/out/direct.h5" "$out"
echo "test-slurm: ok 2: scancel --signal=TERM at $partial/48 runs, job exit 3, resubmitted, resumed, identical [$(($(date +%s) - started)) s]" >&2

# 3. Interrupt a slow sweep with SIGTERM to the batch shell (what --signal=B:TERM@120 sends
# before the time limit), under mpirun, which exits 1 when signalled; the job must
# report 3 and requeue itself, and the requeued job must resume to the identical panel.
out=$work/out/requeued.h5
job=$(PROTEUS_LAUNCHER=mpirun PROTEUS_AUTO_REQUEUE=1 PROTEUS_SWEEP_RUN_DELAY_MS=300 \
  submit --ntasks=2 "$repo/jobs/slurm/sweep.sbatch" "$sweep" "$out")
wait_for_panel "$job" "$out"
scancel --batch --signal=TERM "$job"
deadline=$(($(date +%s) + 60))
until [[ $(job_field "$job" Restarts) -ge 1 ]]; do
  (($(date +%s) < deadline)) || { echo "error: job $job was not requeued" >&2; exit 1; }
  sleep 0.3
done
grep -q "interrupted; .* is resumable" "$work/jobs/proteus-sweep-$job.log"
partial=$(done_rows "$out")
((partial < 48)) || { echo "error: the sweep finished before the interruption" >&2; exit 1; }
# SLURM starts the requeued job once its old credential expired (cred_expire=5 above).
wait_job "$job" 180
expect_exit "$job" 0:0
grep -q -- "--resume" "$work/jobs/proteus-sweep-$job.log"
[[ $(attr "$out" complete) == 1 ]]
compare "$work/out/direct.h5" "$out"
echo "test-slurm: ok 3: batch-shell SIGTERM (mpirun) at $partial/48 runs, requeued by the job, resumed, identical [$(($(date +%s) - started)) s]" >&2

# 4. Array of 3 shards, then a merge job that depends on it.
job=$(submit --array=0-2 "$repo/jobs/slurm/array.sbatch" "$sweep" "$work/out/shards")
merge=$(submit --dependency=afterok:"$job" "$repo/jobs/slurm/merge.sbatch" "$work/out/merged.h5" \
  "$work"/out/shards/shard-{0,1,2}-of-3.h5)
wait_job "$job" 120
wait_job "$merge" 60
for task in 0 1 2; do
  expect_exit "${job}_$task" 0:0
  grep -q "complete: .*shard-$task-of-3.h5" "$work/jobs/proteus-shard-${job}_$task.log"
done
expect_exit "$merge" 0:0
compare "$work/out/direct.h5" "$work/out/merged.h5"
echo "test-slurm: ok 4: array of 3 shards merged == mpirun -np 2 [$(($(date +%s) - started)) s]" >&2
echo "test-slurm: PASSED in $(($(date +%s) - started)) s" >&2
