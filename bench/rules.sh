#!/usr/bin/env bash
# Prints what each built-in rule costs to evaluate alone, in milliseconds,
# on a generated corpus: the inventory `irsalint inventory` prints, read
# once by `opa bench` (the OPA release go.mod pins), then the rule's deny
# evaluated over it on one goroutine. A rule's time includes the library
# values it uses (binding.links, for one), so rules that share them
# overlap; "all" evaluates every rule in one query, each value once.
#
#   bench/rules.sh                   # 10,000 workloads and 2,000 roles
#   WORKLOADS=50000 bench/rules.sh
#
# The corpus generator is ../shared/bench/gencorpus (GENCORPUS=DIR to point
# elsewhere); everything else goes to a temporary folder. It takes about
# ten minutes: opa bench runs each of the 36 queries three times for a
# second or more, and reads the inventory (70 MB on 10k) for each query.
set -euo pipefail
cd "$(dirname "$0")/.."
workloads=${WORKLOADS:-10000}
. bench/setup.sh
opa_version=$(go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)
GOBIN="$work" go install "github.com/open-policy-agent/opa@$opa_version"

"$work/gencorpus" -workloads "$workloads" -roles $((workloads / 5)) -seed 1 -out "$work/corpus" -q
"$work/irsalint" inventory --no-config --max-file-size 64MiB \
	"$work/corpus/manifests" "$work/corpus/iam/account-authorization-details.json" >"$work/inventory.json"

# The rules without their tests: the tests call irsalint.resolve, a
# built-in only irsalint's test runner has.
mkdir -p "$work/rules-only"
(cd rules && find . -name '*.rego' ! -name '*_test.rego' -exec cp --parents {} "$work/rules-only/" \;)

# cost QUERY: the median ns/op of three opa bench runs, in ms. A query
# that fails stops the script with OPA's message.
cost() {
	local out
	if ! out=$("$work/opa" bench -b "$work/rules-only" -i "$work/inventory.json" --benchmem=false \
		--metrics=false -f gobench --count 3 "$1" 2>&1); then
		echo "opa bench $1: $out" >&2
		exit 2
	fi
	awk '/ns\/op/ {print $3}' <<<"$out" | sort -n | sed -n 2p | awk '{printf "%.1f", $1 / 1e6}'
}

printf '%-36s %10s\n' rule ms
all=""
for f in $(cd rules && find . -path ./lib -prune -o -name rule.rego -print | sort); do
	pkg=$(sed -n 's/^package //p' "rules/$f" | head -n 1)
	id=$(basename "$(dirname "$f")")
	ms=$(cost "count(data.$pkg.deny)") # an assignment, so that set -e sees a failure
	printf '%-36s %10s\n' "$id" "$ms"
	all="$all count(data.$pkg.deny) +"
done
ms=$(cost "$all 0")
printf '%-36s %10s\n' all "$ms"
