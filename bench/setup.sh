# Sourced by the bench scripts, from the repository's root: checks that the
# corpus generator is there (../shared/bench/gencorpus, or GENCORPUS=DIR),
# makes a temporary folder $work that is removed on exit, and builds
# $work/gencorpus and $work/irsalint into it.
gen=${GENCORPUS:-../shared/bench/gencorpus}
if [ ! -f "$gen/main.go" ]; then
	echo "no corpus generator at $gen (set GENCORPUS)" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$gen" && go build -o "$work/gencorpus" .)
go build -o "$work/irsalint" ./cmd/irsalint
