//go:build unix

package source

import (
	"fmt"
	"io/fs"
	"syscall"
)

// fileID identifies the file behind info (links followed), so that a file
// reached twice, under two names, is read once: its device and inode, which
// cost nothing where resolving every link on the path costs a system call
// per path element.
func fileID(_ string, info fs.FileInfo) (string, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("id:%d:%d", st.Dev, st.Ino), true
}
