#!/usr/bin/env bash
# Measures irsalint on generated corpora, beside conftest and kube-linter
# when they are on PATH, in one run: whole process, wall time, CPU time
# (user and system, all cores) and peak RSS, the median of RUNS runs each.
#
#   bench/run.sh                 # 1k and 10k workloads, 3 runs
#   SIZES="1000 10000 50000" RUNS=5 bench/run.sh
#
# Then one small file, the pre-commit case (ONE_RUNS=21 runs each, the
# median in milliseconds, and the peak RSS of one more run; ONE_RUNS=0
# skips it): a Deployment alone, and the same with its ServiceAccount.
#
# The corpus generator is ../shared/bench/gencorpus (GENCORPUS=DIR to point
# elsewhere); corpora and binaries go to a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-"1000 10000"}
runs=${RUNS:-3}
one_runs=${ONE_RUNS:-21}
. bench/setup.sh
# The peers' binaries too, so that every tool is read from disk alike.
for tool in kube-linter conftest; do
	if command -v "$tool" >/dev/null; then
		uncache "$(command -v "$tool")"
	fi
done

# measure NAME CMD...: prints "NAME median-seconds median-cpu-seconds
# median-MiB", each the median of its own column. A run that exits with 2
# or more (could not analyze, crashed) stops the script: its time would
# measure an error, not the work.
measure() {
	local name=$1
	shift
	local t=() c=() m=()
	for _ in $(seq "$runs"); do
		/usr/bin/time -f "%e %M %x %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || true
		read -r s kb code user sys < <(tail -n 1 "$work/time")
		if [ "$code" -ge 2 ]; then
			echo "$name exited with $code:" >&2
			tail -n 5 "$work/stderr" >&2
			exit 2
		fi
		t+=("$s")
		c+=("$(awk -v u="$user" -v k="$sys" 'BEGIN{printf "%.2f", u+k}')")
		m+=("$((kb / 1024))")
	done
	printf '%s %s %s %s\n' "$name" "$(median "${t[@]}")" "$(median "${c[@]}")" "$(median "${m[@]}")"
}

# median VALUES...: the middle one (of an even number, the upper middle).
median() {
	printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"
}

# conftest's two checks, for the corpora and the one-file case.
mkdir -p "$work/policy"
cat >"$work/policy/bench.rego" <<'REGO'
package main

deny contains msg if {
	input.kind == "ServiceAccount"
	not input.metadata.annotations["eks.amazonaws.com/role-arn"]
	msg := sprintf("%s has no role", [input.metadata.name])
}

deny contains msg if {
	some c in input.spec.template.spec.containers
	not input.spec.template.spec.securityContext.fsGroup
	c.securityContext.runAsNonRoot
	msg := sprintf("%s has no fsGroup", [input.metadata.name])
}
REGO
printf '%-10s %-38s %10s %10s %10s %8s\n' workloads tool seconds cpu-s MiB ratio
for n in $sizes; do
	roles=$((n / 5))
	dir="$work/c$n"
	"$work/gencorpus" -workloads "$n" -roles "$roles" -seed 1 -out "$dir" -q
	rows=()
	# The 50k corpus's IAM export is 23 MiB, past the default 10 MiB cap on one file.
	rows+=("$(measure "irsalint lint (joined)" "$work/irsalint" lint -f json -o "$work/out.json" --fail-on none --max-findings 0 --max-file-size 64MiB "$dir/manifests" "$dir/iam/account-authorization-details.json")")
	if command -v kube-linter >/dev/null; then
		rows+=("$(measure "kube-linter lint (its checks)" kube-linter lint --format json "$dir/manifests")")
	fi
	if command -v conftest >/dev/null; then
		rows+=("$(measure "conftest test --combine (2 checks)" conftest test --combine --no-fail -p "$work/policy" "$dir/manifests")")
	fi
	base=$(printf '%s\n' "${rows[0]}" | awk '{print $(NF-2)}')
	for r in "${rows[@]}"; do
		name=$(printf '%s\n' "$r" | awk '{$NF=""; $(NF-1)=""; $(NF-2)=""; print}' | sed 's/ *$//')
		read -r s cpu mib < <(printf '%s\n' "$r" | awk '{print $(NF-2), $(NF-1), $NF}')
		printf '%-10s %-38s %10s %10s %10s %8s\n' "$n" "$name" "$s" "$cpu" "$mib" "$(awk -v a="$s" -v b="$base" 'BEGIN{printf "%.2fx", a/b}')"
	done
done

[ "$one_runs" -gt 0 ] || exit 0

# Each tool runs one_runs times on each file, in turn with the others so
# that a slower moment of the machine falls on all of them alike; the
# median is printed. /usr/bin/time counts in hundredths of a second, too
# coarse here, so the wall time is read from date (in microseconds).
ms_now() { date +%s%N; }
mkdir -p "$work/one"
cat >"$work/one/deployment.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      serviceAccountName: api
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
        - name: api
          image: public.ecr.aws/shop/api:1.4.2
          env:
            - {name: AWS_REGION, value: eu-west-1}
YAML
{
	cat "$work/one/deployment.yaml"
	cat <<'YAML'
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/shop-api
YAML
} >"$work/one/with-sa.yaml"

printf '\n%-22s %-38s %10s %10s %8s\n' "one file" tool ms MiB ratio
for f in deployment with-sa; do
	file="$work/one/$f.yaml"
	names=("irsalint lint")
	cmds=("$work/irsalint lint --no-config $file")
	if command -v kube-linter >/dev/null; then
		names+=("kube-linter lint (its checks)")
		cmds+=("kube-linter lint --format json $file")
	fi
	if command -v conftest >/dev/null; then
		names+=("conftest test (2 checks)")
		cmds+=("conftest test --no-fail -p $work/policy $file")
	fi
	declare -A times=()
	for _ in $(seq "$one_runs"); do
		for i in "${!cmds[@]}"; do
			start=$(ms_now)
			code=0
			# shellcheck disable=SC2086 # the command is split on purpose
			${cmds[$i]} >/dev/null 2>"$work/stderr" || code=$?
			times[$i]+="$((($(ms_now) - start) / 1000)) "
			if [ "$code" -ge 2 ]; then
				echo "${names[$i]} on $f.yaml exited with $code:" >&2
				tail -n 5 "$work/stderr" >&2
				exit 2
			fi
		done
	done
	base=""
	for i in "${!cmds[@]}"; do
		# shellcheck disable=SC2086 # one word per run
		us=$(median ${times[$i]})
		[ -n "$base" ] || base=$us
		# The peak resident size from one more run: it hardly varies, and
		# /usr/bin/time around every timed run would add its fork to each.
		# shellcheck disable=SC2086 # the command is split on purpose
		/usr/bin/time -f "%M" -o "$work/time" ${cmds[$i]} >/dev/null 2>&1 || true
		kb=$(tail -n 1 "$work/time")
		printf '%-22s %-38s %10.1f %10s %8s\n' "$f.yaml" "${names[$i]}" "$(awk -v u="$us" 'BEGIN{print u/1000}')" "$((kb / 1024))" "$(awk -v a="$us" -v b="$base" 'BEGIN{printf "%.2fx", a/b}')"
	done
	unset times
done
