# Sourced by the bench scripts, from the repository's root: checks that the
# corpus generator is there (../shared/bench/gencorpus, or GENCORPUS=DIR),
# makes a temporary folder $work that is removed on exit, and builds
# $work/gencorpus and $work/irsalint into it. irsalint is built as
# .ci/release builds the release archives (static, without Kustomize's
# loader of Go plugins, stripped), so the figures are the binary users
# download: a plain `go build` links Go's plugin package and every exported
# method, which adds about 37 MiB to the resident size of every run.
gen=${GENCORPUS:-../shared/bench/gencorpus}
if [ ! -f "$gen/main.go" ]; then
	echo "no corpus generator at $gen (set GENCORPUS)" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$gen" && go build -o "$work/gencorpus" .)
CGO_ENABLED=0 go build -trimpath -tags kustomize_disable_go_plugin_support \
	-ldflags "-s -w" -o "$work/irsalint" ./cmd/irsalint
