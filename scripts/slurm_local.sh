#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for the SLURM tests (tests/test_slurm.py) and for trying `prevsteer launch`.
#
#   bash scripts/slurm_local.sh up     # install slurm-wlm + munge (as root, with apt) if missing; start munged,
#                                      # slurmctld and slurmd; wait until the node takes jobs
#   bash scripts/slurm_local.sh down   # stop the three daemons this script started
#
# The node has this machine's CPUs (select/cons_tres, CR_CPU: jobs share the node CPU by CPU), no GPUs, no
# accounting (no sacct: read job state from squeue/scontrol), SlurmUser root, proctrack/linuxproc, task/none.
# `up` is tolerant: where it cannot install or start the cluster it says why and exits 0, so the SLURM tests skip.
# A slurm.conf this script did not write is left alone.
set -uo pipefail

CONF=/etc/slurm/slurm.conf
MARK="# written by prevsteer scripts/slurm_local.sh"
STATE=/var/spool/slurmctld
SPOOL=/var/spool/slurmd
LOGS=/var/log/slurm
RUN=/run/slurm

say() { echo "slurm_local: $*"; }
give_up() { say "$* (SLURM tests will skip)"; exit 0; }

install_packages() {
    if command -v sbatch >/dev/null && command -v slurmctld >/dev/null && command -v munged >/dev/null; then
        return 0
    fi
    [ "$(id -u)" -eq 0 ] || give_up "slurm-wlm is not installed and this is not root: cannot apt-get install it"
    command -v apt-get >/dev/null || give_up "slurm-wlm is not installed and there is no apt-get"
    say "installing slurm-wlm and munge with apt"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -q && apt-get install -y -q slurm-wlm munge; } >/tmp/slurm_local-apt.log 2>&1; then
        give_up "apt-get install slurm-wlm munge failed (log: /tmp/slurm_local-apt.log)"
    fi
}

write_conf() {
    if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
        say "$CONF exists and is not ours: using it as it is"
        return 0
    fi
    local host cpus memory
    host=$(hostname -s)
    cpus=$(nproc --all)
    memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
    mkdir -p /etc/slurm
    cat >"$CONF" <<EOF
$MARK
ClusterName=prevsteer-local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$STATE
SlurmdSpoolDir=$SPOOL
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

running() {  # the daemon whose pid file is $1 is alive
    [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

start() {
    mkdir -p "$STATE" "$SPOOL" "$LOGS" "$RUN"
    install -d -o munge -g munge -m 0755 /run/munge 2>/dev/null || mkdir -p /run/munge
    chown munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null
    if [ ! -s /etc/munge/munge.key ]; then
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
        chown munge:munge /etc/munge/munge.key
        chmod 0400 /etc/munge/munge.key
    fi
    if ! running /run/munge/munged.pid; then
        runuser -u munge -- /usr/sbin/munged || give_up "munged did not start"
    fi
    running "$RUN/slurmctld.pid" || /usr/sbin/slurmctld || give_up "slurmctld did not start (see $LOGS/slurmctld.log)"
    running "$RUN/slurmd.pid" || /usr/sbin/slurmd || give_up "slurmd did not start (see $LOGS/slurmd.log)"
    local host state
    host=$(hostname -s)
    for _ in $(seq 1 60); do
        state=$(sinfo --noheader --nodes "$host" --format %T 2>/dev/null | head -n 1)
        case "$state" in
            idle* | mixed* | allocated*)
                say "up: node $host $state, $(nproc --all) CPUs, partition local"
                return 0
                ;;
            down* | drain*)
                scontrol update nodename="$host" state=resume >/dev/null 2>&1
                ;;
        esac
        sleep 1
    done
    give_up "node $host did not become idle within 60 s (state: ${state:-none}; see $LOGS)"
}

stop() {
    local pidfile
    for pidfile in "$RUN/slurmd.pid" "$RUN/slurmctld.pid" /run/munge/munged.pid; do
        if running "$pidfile"; then
            kill "$(cat "$pidfile")"
        fi
    done
    say "down"
}

case "${1:-}" in
    up)
        install_packages
        write_conf
        start
        ;;
    down) stop ;;
    *)
        echo "usage: bash scripts/slurm_local.sh up|down" >&2
        exit 2
        ;;
esac
