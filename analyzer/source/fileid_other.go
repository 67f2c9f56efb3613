//go:build !unix

package source

import "io/fs"

// fileID has no cheap identity of a file here: the caller resolves links.
func fileID(string, fs.FileInfo) (string, bool) { return "", false }
