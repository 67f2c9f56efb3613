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
# elsewhere); everything else goes to a temporary folder. On 10k it takes
# about ten minutes, most of it OPA reading the 70 MB inventory each time.
set -euo pipefail
cd "$(dirname "$0")/.."
gen=${GENCORPUS:-../shared/bench/gencorpus}
workloads=${WORKLOADS:-10000}
if [ ! -f "$gen/main.go" ]; then
	echo "no corpus generator at $gen (set GENCORPUS)" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$gen" && go build -o "$work/gencorpus" .)
go build -o "$work/irsalint" ./cmd/irsalint
opa_version=$(go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)
GOBIN="$work" go install "github.com/open-policy-agent/opa@$opa_version"

"$work/gencorpus" -workloads "$workloads" -roles $((workloads / 5)) -seed 1 -out "$work/corpus" -q
"$work/irsalint" inventory --no-config --max-file-size 64MiB \
	"$work/corpus/manifests" "$work/corpus/iam/account-authorization-details.json" >"$work/inventory.json"

# The rules without their tests: the tests call irsalint.resolve, a
# built-in only irsalint's test runner has.
mkdir -p "$work/rules-only"
(cd rules && find . -name '*.rego' ! -name '*_test.rego' -exec cp --parents {} "$work/rules-only/" \;)

# cost QUERY: the median ns/op of three opa bench runs, in ms.
cost() {
	"$work/opa" bench -b "$work/rules-only" -i "$work/inventory.json" --benchmem=false --metrics=false \
		-f gobench --count 3 "$1" | awk '/ns\/op/ {print $3}' | sort -n | sed -n 2p |
		awk '{printf "%.1f", $1 / 1e6}'
}

printf '%-36s %10s\n' rule ms
all=""
for f in $(cd rules && find . -path ./lib -prune -o -name rule.rego -print | sort); do
	pkg=$(sed -n 's/^package //p' "rules/$f" | head -n 1)
	id=$(basename "$(dirname "$f")")
	printf '%-36s %10s\n' "$id" "$(cost "count(data.$pkg.deny)")"
	all="$all count(data.$pkg.deny) +"
done
printf '%-36s %10s\n' all "$(cost "$all 0")"
