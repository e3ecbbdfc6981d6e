#!/usr/bin/env bash
# The CPU cost of two postbook builds on the same corpus → Markdown run, as a ratio.
#
#   bench/cost.sh OLD_BINARY NEW_BINARY [CORPUS] [-- EXTRA CONVERT ARGS]
#
# Two measures: instructions executed (valgrind's callgrind: exact, the same on a busy or a quiet
# machine, which makes it the one to compare builds with) and CPU seconds (user + system, the
# median of 5 interleaved runs; noisy when other work shares the cores). Build each revision
# with `cargo build --release` and copy its target/release/postbook aside first.
set -euo pipefail
old=${1:?usage: bench/cost.sh OLD_BINARY NEW_BINARY [CORPUS] [-- ARGS]}
new=${2:?usage: bench/cost.sh OLD_BINARY NEW_BINARY [CORPUS] [-- ARGS]}
shift 2
corpus=../shared/corpus
if [[ $# -gt 0 && $1 != -- ]]; then corpus=$1; shift; fi
[[ ${1:-} == -- ]] && shift
command -v valgrind >/dev/null || { echo "cost.sh needs valgrind (apt-get install valgrind)" >&2; exit 2; }
# Outputs on tmpfs when there is one: creating 1,500 files on a disk file system costs a
# varying amount of system time (more right after a run deleted its outputs).
work=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT

instructions() {
    rm -rf "$work/out"
    valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$1" convert -q -t markdown \
        "$corpus" -o "$work/out" --no-cache "${@:2}" 2>&1 >/dev/null |
        sed -n 's/.*Collected : //p'
}

cpu_seconds() {
    rm -rf "$work/out"
    /usr/bin/time -f '%U %S' "$1" convert -q -t markdown "$corpus" -o "$work/out" --no-cache \
        "${@:2}" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

i_old=$(instructions "$old" "$@")
i_new=$(instructions "$new" "$@")
: >"$work/t_old"
: >"$work/t_new"
for _ in 1 2 3 4 5; do
    cpu_seconds "$old" "$@" >>"$work/t_old"
    cpu_seconds "$new" "$@" >>"$work/t_new"
done
t_old=$(median <"$work/t_old")
t_new=$(median <"$work/t_new")
printf '%-14s %16s %16s %8s\n' measure old new new/old
printf '%-14s %16d %16d %8.3f\n' instructions "$i_old" "$i_new" "$(echo "$i_new / $i_old" | bc -l)"
printf '%-14s %16s %16s %8.3f\n' "CPU seconds" "$t_old" "$t_new" "$(echo "$t_new / $t_old" | bc -l)"
