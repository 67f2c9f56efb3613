# Sourced by the bench scripts, from the repository's root: checks that the
# corpus generator is there (../shared/bench/gencorpus, or GENCORPUS=DIR),
# makes a temporary folder $work that is removed on exit, and builds
# $work/gencorpus and $work/irsalint into it. irsalint is built as
# .ci/release builds the release archives (static, without Kustomize's
# loader of Go plugins, stripped), so the figures are the binary users
# download: a plain `go build` links Go's plugin package and every exported
# method, which adds about 12 MiB to the resident size of every run.
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

# uncache FILE... drops the files' pages from the page cache (GNU dd's
# nocache flag; no privileges needed), so that a run reads each binary as
# it reads an installed one. A binary the Go linker has just written is
# cached in a form a run maps more of: a plain build's run on one file
# peaked at 100 MiB right after go build, 62 MiB once its pages were
# dropped and read again (the release build: 53 and 50 MiB).
uncache() {
	for f in "$@"; do
		dd if="$f" iflag=nocache count=0 status=none 2>/dev/null || true
	done
}
uncache "$work/irsalint"
