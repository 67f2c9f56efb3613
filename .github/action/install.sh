#!/usr/bin/env bash
# Installs irsalint for the GitHub Action: the release archive for the
# runner's OS and architecture, checked against the release's
# checksums.txt, or, when the release has no such archive (a branch or a
# commit), go install at that ref. Puts the binary on GITHUB_PATH.
#   IRSALINT_VERSION   a release tag (v1.2.3) or another ref
#   IRSALINT_RELEASES  where releases are (default: GitHub's download URL)
set -euo pipefail
version=${IRSALINT_VERSION:?IRSALINT_VERSION is not set}
releases=${IRSALINT_RELEASES:-https://github.com/irsalint/irsalint/releases/download}
dest=${RUNNER_TEMP:?}/irsalint-bin
mkdir -p "$dest"

case "${RUNNER_OS:-Linux}" in
Linux) os=linux ;; macOS) os=darwin ;; Windows) os=windows ;;
*) echo "irsalint: no release for runner OS ${RUNNER_OS}" >&2; exit 1 ;;
esac
case "${RUNNER_ARCH:-X64}" in
X64) arch=amd64 ;; ARM64) arch=arm64 ;;
*) echo "irsalint: no release for runner architecture ${RUNNER_ARCH}" >&2; exit 1 ;;
esac
ext=tar.gz
[ "$os" = windows ] && ext=zip
name="irsalint_${version#v}_${os}_${arch}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if curl -fsSL -o "$work/checksums.txt" "$releases/$version/checksums.txt" &&
	curl -fsSL -o "$work/$name.$ext" "$releases/$version/$name.$ext"; then
	want=$(awk -v f="$name.$ext" '$2 == f { print $1 }' "$work/checksums.txt")
	got=$(sha256sum "$work/$name.$ext" | awk '{ print $1 }')
	if [ -z "$want" ] || [ "$want" != "$got" ]; then
		echo "irsalint: $name.$ext does not match the release's checksums.txt (want ${want:-no entry}, got $got): not installed" >&2
		exit 1
	fi
	if [ "$ext" = zip ]; then
		unzip -q "$work/$name.$ext" -d "$work"
	else
		tar -xzf "$work/$name.$ext" -C "$work"
	fi
	cp "$work/$name/"irsalint* "$dest/"
	echo "irsalint $version from the release, checksum verified"
else
	echo "irsalint: no release archive for $version; building it with go install"
	GOBIN="$dest" go install -tags kustomize_disable_go_plugin_support "github.com/irsalint/irsalint/cmd/irsalint@$version"
fi
echo "$dest" >>"${GITHUB_PATH:?}"
