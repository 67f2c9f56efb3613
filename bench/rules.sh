#!/usr/bin/env bash
# Prints what each built-in rule costs to evaluate alone, in milliseconds,
# on a generated corpus: bench/rulecost reads the inventory `irsalint
# inventory` prints once, then evaluates each rule's deny over it on one
# goroutine (with the OPA release go.mod pins), COUNT times, and prints
# the median, the fastest run and the number of findings. A rule's time
# includes the library values it uses (binding.links, for one), so rules
# that share them overlap; "all" evaluates every rule in one query, each
# value once.
#
#   bench/rules.sh                   # 10,000 workloads and 2,000 roles
#   WORKLOADS=50000 bench/rules.sh
#   COUNT=9 bench/rules.sh
#
# The corpus generator is ../shared/bench/gencorpus (GENCORPUS=DIR to point
# elsewhere); everything else goes to a temporary folder. On 10k it takes
# about 40 seconds, the builds included.
set -euo pipefail
cd "$(dirname "$0")/.."
workloads=${WORKLOADS:-10000}
. bench/setup.sh
go build -o "$work/rulecost" ./bench/rulecost

"$work/gencorpus" -workloads "$workloads" -roles $((workloads / 5)) -seed 1 -out "$work/corpus" -q
"$work/irsalint" inventory --no-config --max-file-size 64MiB \
	"$work/corpus/manifests" "$work/corpus/iam/account-authorization-details.json" >"$work/inventory.json"

"$work/rulecost" -i "$work/inventory.json" --count "${COUNT:-5}"
