package source

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
)

// tree writes files (path → content, "/" separated) under a new temporary
// folder and returns it.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symbolic links not available: %v", err)
	}
}

func paths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func diagStrings(diags []analyzer.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		out = append(out, d.String())
	}
	return out
}

func collectIn(t *testing.T, root string, args ...string) ([]File, []analyzer.Diagnostic) {
	t.Helper()
	return Collect(args, CollectOptions{WorkingDir: root})
}

func TestCollectFolder(t *testing.T) {
	root := tree(t, map[string]string{
		"a.yaml":                  "a: 1\n",
		"b.YML":                   "b: 1\n",
		"c.Json":                  "{}",
		"d.txt":                   "not read",
		"README.md":               "not read",
		"yaml":                    "no extension",
		".pre-commit-config.yaml": "hidden files are skipped in a walk\n",
		"sub/e.yaml":              "e: 1\n",
		"sub/deeper/f.yml":        "f: 1\n",
		".git/g.yaml":             "hidden folder\n",
		".github/k8s/h.yaml":      "hidden folder\n",
		"node_modules/x/i.yaml":   "skipped\n",
		"vendor/j.yaml":           "skipped\n",
		"empty/.keep":             "",
	})
	files, diags := collectIn(t, root)
	want := []string{"a.yaml", "b.YML", "c.Json", "sub/deeper/f.yml", "sub/e.yaml"}
	if got := paths(files); !reflect.DeepEqual(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	if len(diags) != 0 {
		t.Errorf("diagnostics %q", diagStrings(diags))
	}
	for _, f := range files {
		if f.Abs != filepath.Join(root, filepath.FromSlash(f.Path)) {
			t.Errorf("%s: Abs %s", f.Path, f.Abs)
		}
		if f.Path == "a.yaml" && string(f.Data) != "a: 1\n" {
			t.Errorf("a.yaml data %q", f.Data)
		}
	}

	// The same with ".", explicitly, is the same.
	again, _ := collectIn(t, root, ".")
	if !reflect.DeepEqual(paths(again), want) {
		t.Errorf("with \".\": %q", paths(again))
	}

	// Named hidden folders, node_modules and odd files are read.
	files, diags = collectIn(t, root, ".github", "vendor", "d.txt", "yaml", "empty", ".pre-commit-config.yaml")
	want = []string{".github/k8s/h.yaml", "vendor/j.yaml", "d.txt", "yaml", ".pre-commit-config.yaml"}
	// A folder with no input files at all gets a notice: a CI gate
	// pointed at the wrong folder must not pass silently.
	wantDiags := []string{"empty: notice: no *.yaml, *.yml or *.json files found in this folder"}
	if got := paths(files); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(diagStrings(diags), wantDiags) {
		t.Errorf("named: files %q diagnostics %q, want %q and %q", got, diagStrings(diags), want, wantDiags)
	}
	files, _ = collectIn(t, root, ".github/k8s")
	if got := paths(files); !reflect.DeepEqual(got, []string{".github/k8s/h.yaml"}) {
		t.Errorf("named .github/k8s: %q", got)
	}
}

func TestCollectDisplayPaths(t *testing.T) {
	work := tree(t, map[string]string{"in/a.yaml": "a: 1\n"})
	outside := tree(t, map[string]string{"b.yaml": "b: 1\n"})
	files, diags := Collect([]string{filepath.Join(work, "in"), outside}, CollectOptions{WorkingDir: work})
	if len(diags) != 0 {
		t.Fatalf("diagnostics %q", diagStrings(diags))
	}
	want := []string{"in/a.yaml", filepath.ToSlash(filepath.Join(outside, "b.yaml"))}
	if got := paths(files); !reflect.DeepEqual(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	for _, f := range files {
		if strings.Contains(f.Path, `\`) {
			t.Errorf("backslash in %s", f.Path)
		}
	}
}

func TestCollectSymlinks(t *testing.T) {
	root := tree(t, map[string]string{
		"a/x.yaml":     "x: 1\n",
		"a/sub/y.yaml": "y: 1\n",
	})
	other := tree(t, map[string]string{"o.yaml": "o: 1\n"})
	symlink(t, "..", filepath.Join(root, "a", "loop"))                        // a/loop → root: a loop
	symlink(t, other, filepath.Join(root, "b"))                               // a folder elsewhere
	symlink(t, filepath.Join("a", "x.yaml"), filepath.Join(root, "c.yaml"))   // the same file again
	symlink(t, "nowhere.yaml", filepath.Join(root, "d.yaml"))                 // broken
	symlink(t, "nowhere", filepath.Join(root, "e"))                           // broken, not an input name
	symlink(t, filepath.Join(other, "o.yaml"), filepath.Join(root, "f.yaml")) // a file elsewhere
	symlink(t, "sub", filepath.Join(root, "a", "s"))                          // inside: followed, y.yaml once
	symlink(t, other, filepath.Join(root, ".hidden"))                         // hidden: never followed

	var files []File
	var diags []analyzer.Diagnostic
	within(t, 5e9, func() { files, diags = collectIn(t, root) })
	want := []string{"a/s/y.yaml", "a/x.yaml"}
	if got := paths(files); !reflect.DeepEqual(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	wantDiags := []string{
		`b: notice: not followed: symbolic link to "` + other + `" leads outside . (name the target on the command line to lint it)`,
		`d.yaml: error: broken symbolic link to "nowhere.yaml"`,
		`f.yaml: notice: not followed: symbolic link to "` + filepath.Join(other, "o.yaml") + `" leads outside . (name the target on the command line to lint it)`,
	}
	if got := diagStrings(diags); !reflect.DeepEqual(got, wantDiags) {
		t.Errorf("diagnostics %q, want %q", got, wantDiags)
	}

	// Named links are the user's choice: a file link is read (once: a/x.yaml
	// is the same file), a broken one reported. Inside the folder a, the
	// link back to root leads outside a and is not followed.
	files, diags = collectIn(t, root, "c.yaml", "a", "d.yaml", "e", "b")
	if got := paths(files); !reflect.DeepEqual(got, []string{"c.yaml", "a/s/y.yaml", "b/o.yaml"}) {
		t.Errorf("named links: files %q", got)
	}
	wantDiags = []string{
		`a/loop: notice: not followed: symbolic link to ".." leads outside a (name the target on the command line to lint it)`,
		`d.yaml: error: broken symbolic link to "nowhere.yaml"`,
		`e: error: broken symbolic link to "nowhere"`,
	}
	if got := diagStrings(diags); !reflect.DeepEqual(got, wantDiags) {
		t.Errorf("named links: diagnostics %q, want %q", got, wantDiags)
	}
}

// TestCollectHostileLinks: a link to / or into /etc reads nothing of the
// host, and says so once per link.
func TestCollectHostileLinks(t *testing.T) {
	root := tree(t, map[string]string{"ok.yaml": "a: 1\n"})
	symlink(t, "/", filepath.Join(root, "root"))
	symlink(t, "/etc", filepath.Join(root, "etc"))
	symlink(t, "/etc/hostname", filepath.Join(root, "hostname.yaml"))
	symlink(t, "/dev/zero", filepath.Join(root, "zero.yaml"))
	var files []File
	var diags []analyzer.Diagnostic
	within(t, 5e9, func() { files, diags = collectIn(t, root, ".", ".") })
	if got := paths(files); !reflect.DeepEqual(got, []string{"ok.yaml"}) {
		t.Errorf("files %q", got)
	}
	got := diagStrings(diags)
	if len(got) != 4 {
		t.Fatalf("diagnostics %q, want one notice per link", got)
	}
	for i, name := range []string{"etc", "hostname.yaml", "root", "zero.yaml"} {
		if !strings.HasPrefix(got[i], name+": notice: not followed: symbolic link to ") {
			t.Errorf("diagnostic %d: %s", i, got[i])
		}
	}
}

// TestCollectSpecialFiles: a named pipe blocks and a device never ends, so
// neither is read, even when named; standard input is "-".
func TestCollectSpecialFiles(t *testing.T) {
	root := tree(t, map[string]string{"ok.yaml": "a: 1\n"})
	fifo := filepath.Join(root, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	var files []File
	var diags []analyzer.Diagnostic
	within(t, 5e9, func() { files, diags = collectIn(t, root, ".", "pipe.yaml", "/dev/zero") })
	if got := paths(files); !reflect.DeepEqual(got, []string{"ok.yaml"}) {
		t.Errorf("files %q", got)
	}
	want := []string{
		"pipe.yaml: error: not a regular file (a named pipe); to lint a command's output, pipe it to standard input: kubectl get deploy -A -o yaml | irsalint lint -",
		"/dev/zero: error: not a regular file (a character device); to lint a command's output, pipe it to standard input: kubectl get deploy -A -o yaml | irsalint lint -",
	}
	if got := diagStrings(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
}

func TestCollectTotalCaps(t *testing.T) {
	root := tree(t, map[string]string{"a.yaml": "a: 1\n", "b.yaml": "b: 1\n", "c.yaml": "c: 1\n"})
	files, diags := Collect(nil, CollectOptions{WorkingDir: root, MaxFiles: 2})
	if got := paths(files); !reflect.DeepEqual(got, []string{"a.yaml", "b.yaml"}) {
		t.Errorf("files %q", got)
	}
	want := []string{"c.yaml: error: not read: the inputs are more than the 2 files of --max-files; lint fewer paths or raise the cap"}
	if got := diagStrings(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
	files, diags = Collect([]string{".", "-"}, CollectOptions{WorkingDir: root, MaxTotalSize: 10, Stdin: strings.NewReader("x: 1\n")})
	if got := paths(files); !reflect.DeepEqual(got, []string{"a.yaml", "b.yaml"}) {
		t.Errorf("files %q", got)
	}
	want = []string{"c.yaml: error: not read: the inputs are larger than the 10 bytes of --max-total-size; lint fewer paths or raise the cap"}
	if got := diagStrings(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
}

func TestCollectDuplicates(t *testing.T) {
	root := tree(t, map[string]string{"a.yaml": "a: 1\n", "sub/b.yaml": "b: 1\n"})
	files, diags := collectIn(t, root, "sub/b.yaml", "a.yaml", ".", "./a.yaml", filepath.Join(root, "a.yaml"), "sub", "sub/../sub")
	want := []string{"sub/b.yaml", "a.yaml"}
	if got := paths(files); !reflect.DeepEqual(got, want) || len(diags) != 0 {
		t.Errorf("files %q diagnostics %q, want %q", got, diagStrings(diags), want)
	}
}

func TestCollectHelm(t *testing.T) {
	root := tree(t, map[string]string{
		"charts/app/Chart.yaml":                  "apiVersion: v2\nname: my-app\nversion: 1.0.0\n",
		"charts/app/values.yaml":                 "serviceAccount:\n  create: true\n",
		"charts/app/templates/sa.yaml":           "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Values.name }}\n",
		"charts/app/templates/_helpers.tpl":      "{{- define \"x\" }}{{ end }}",
		"charts/app/crds/crd.yaml":               "kind: CustomResourceDefinition\n",
		"charts/app/charts/sub/Chart.yaml":       "apiVersion: v2\nversion: 1.0.0\n",
		"charts/app/charts/sub/templates/x.yaml": "{{ bad }}\n",
		"charts/lib/Chart.yaml":                  "name: lib\n", // no templates: nothing skipped
		"plain.yaml":                             "a: 1\n",
	})
	files, diags := collectIn(t, root)
	want := []string{"charts/app/Chart.yaml", "charts/app/charts/sub/Chart.yaml", "charts/app/crds/crd.yaml", "charts/app/values.yaml", "charts/lib/Chart.yaml", "plain.yaml"}
	if got := paths(files); !reflect.DeepEqual(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	wantDiags := []analyzer.Diagnostic{
		{Level: analyzer.LevelNotice, Location: analyzer.Location{File: "charts/app"},
			Message: `skipped Helm chart "my-app": its templates/ are not plain YAML; render the chart (helm template ...) and lint the output`},
		{Level: analyzer.LevelNotice, Location: analyzer.Location{File: "charts/app/charts/sub"},
			Message: `skipped Helm chart "sub": its templates/ are not plain YAML; render the chart (helm template ...) and lint the output`},
	}
	if !reflect.DeepEqual(diags, wantDiags) {
		t.Errorf("diagnostics %q", diagStrings(diags))
	}

	// Naming the chart, or its templates, gives the same single notice.
	files, diags = collectIn(t, root, "charts/app/templates", "charts/app")
	if len(diags) != 2 || diags[0] != wantDiags[0] || diags[1] != wantDiags[1] {
		t.Errorf("named: diagnostics %q", diagStrings(diags))
	}
	for _, f := range files {
		if strings.Contains(f.Path, "/templates/") {
			t.Errorf("read %s", f.Path)
		}
	}
	// A template named on its own is read: the user asked for it.
	files, _ = collectIn(t, root, "charts/app/templates/sa.yaml")
	if got := paths(files); !reflect.DeepEqual(got, []string{"charts/app/templates/sa.yaml"}) {
		t.Errorf("named template: %q", got)
	}
}

func TestCollectSizeCap(t *testing.T) {
	root := tree(t, map[string]string{"a.yaml": "a: 1\n", "small.yaml": "s: 1\n", "c.yaml": strings.Repeat("#", 2000)})
	big, err := os.Create(filepath.Join(root, "b.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 12.3 MiB without writing it.
	if err := big.Truncate(12_900_000); err != nil {
		t.Fatal(err)
	}
	big.Close()

	files, diags := collectIn(t, root)
	if got := paths(files); !reflect.DeepEqual(got, []string{"a.yaml", "c.yaml", "small.yaml"}) {
		t.Errorf("files %q", got)
	}
	want := []string{"b.yaml: error: file is 12.3 MiB, larger than the 10 MiB limit (raise it with --max-file-size)"}
	if got := diagStrings(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}

	files, diags = Collect(nil, CollectOptions{WorkingDir: root, MaxFileSize: 1000})
	if got := paths(files); !reflect.DeepEqual(got, []string{"a.yaml", "small.yaml"}) {
		t.Errorf("files %q", got)
	}
	want = []string{
		"b.yaml: error: file is 12.3 MiB, larger than the 1000 bytes limit (raise it with --max-file-size)",
		"c.yaml: error: file is 2.0 KiB, larger than the 1000 bytes limit (raise it with --max-file-size)",
	}
	if got := diagStrings(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}

	// Standard input is capped the same way.
	_, diags = Collect([]string{"-"}, CollectOptions{WorkingDir: root, MaxFileSize: 1 << 20, Stdin: strings.NewReader(strings.Repeat("x", 1<<20+1))})
	want = []string{"<stdin>: error: input is larger than the 1 MiB limit (raise it with --max-file-size)"}
	if got := diagStrings(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("stdin: diagnostics %q, want %q", got, want)
	}
	files, diags = Collect([]string{"-"}, CollectOptions{WorkingDir: root, MaxFileSize: 1 << 20, Stdin: strings.NewReader(strings.Repeat("x", 1<<20))})
	if len(files) != 1 || len(files[0].Data) != 1<<20 || len(diags) != 0 {
		t.Errorf("stdin at the cap: %d files, %q", len(files), diagStrings(diags))
	}
}

func TestCollectStdin(t *testing.T) {
	root := tree(t, map[string]string{"a.yaml": "a: 1\n"})
	files, diags := Collect([]string{"a.yaml", "-", "-"}, CollectOptions{WorkingDir: root, Stdin: strings.NewReader("kind: X\n")})
	if len(diags) != 0 {
		t.Fatalf("diagnostics %q", diagStrings(diags))
	}
	want := []File{
		{Path: "a.yaml", Abs: filepath.Join(root, "a.yaml"), Data: []byte("a: 1\n")},
		{Path: "<stdin>", Data: []byte("kind: X\n")},
	}
	// A read file carries its FileInfo; standard input has none.
	if len(files) == 2 {
		if st, err := os.Stat(files[0].Abs); err != nil || files[0].Info == nil || !os.SameFile(st, files[0].Info) {
			t.Errorf("a.yaml: Info %v is not the file", files[0].Info)
		}
		files[0].Info = nil
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("files %+v", files)
	}
	files, _ = Collect([]string{"-"}, CollectOptions{WorkingDir: root, Stdin: strings.NewReader("x"), StdinName: "manifest.yaml"})
	if len(files) != 1 || files[0].Path != "manifest.yaml" || files[0].Abs != "" {
		t.Errorf("named stdin: %+v", files)
	}
	_, diags = Collect([]string{"-"}, CollectOptions{WorkingDir: root})
	if len(diags) != 1 || diags[0].Level != analyzer.LevelError {
		t.Errorf("no stdin: %q", diagStrings(diags))
	}
}

func TestCollectErrors(t *testing.T) {
	root := tree(t, map[string]string{"a.yaml": "a: 1\n", "locked/b.yaml": "b: 1\n", "unreadable.yaml": "x\n"})
	files, diags := collectIn(t, root, "missing.yaml", "a.yaml", "gone/")
	if got := paths(files); !reflect.DeepEqual(got, []string{"a.yaml"}) {
		t.Errorf("files %q", got)
	}
	want := []string{"missing.yaml: error: no such file or directory", "gone: error: no such file or directory"}
	if got := diagStrings(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}

	if os.Geteuid() == 0 {
		t.Skip("root reads everything: cannot test permission errors")
	}
	if err := os.Chmod(filepath.Join(root, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Join(root, "locked"), 0o755)
	if err := os.Chmod(filepath.Join(root, "unreadable.yaml"), 0); err != nil {
		t.Fatal(err)
	}
	_, diags = collectIn(t, root)
	want = []string{"locked: error: permission denied", "unreadable.yaml: error: permission denied"}
	if got := diagStrings(diags); !reflect.DeepEqual(got, want) {
		t.Errorf("diagnostics %q, want %q", got, want)
	}
}

func TestCollectDeterministic(t *testing.T) {
	files := map[string]string{}
	for _, name := range []string{"z.yaml", "A.yaml", "m/b.json", "m/a.yml", "_x.yaml", "10.yaml", "9.yaml", "Chart/Chart.yaml", "Chart/templates/t.yaml"} {
		files[name] = "k: v\n"
	}
	root := tree(t, files)
	symlink(t, "nowhere.yaml", filepath.Join(root, "broken.yaml"))
	first, firstDiags := collectIn(t, root)
	for range 5 {
		again, againDiags := collectIn(t, root)
		if !reflect.DeepEqual(paths(again), paths(first)) || !reflect.DeepEqual(againDiags, firstDiags) {
			t.Fatalf("order changed: %q %q", paths(again), diagStrings(againDiags))
		}
	}
	want := []string{"10.yaml", "9.yaml", "A.yaml", "Chart/Chart.yaml", "_x.yaml", "m/a.yml", "m/b.json", "z.yaml"}
	if got := paths(first); !reflect.DeepEqual(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	if len(firstDiags) != 2 || firstDiags[0].Location.File != "Chart" || firstDiags[1].Location.File != "broken.yaml" {
		t.Errorf("diagnostics %q", diagStrings(firstDiags))
	}
}

// staleInfo is a file's FileInfo from before it changed size.
type staleInfo struct {
	os.FileInfo
	size int64
}

func (s staleInfo) Size() int64 { return s.size }

func TestReadUpTo(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.yaml")
	want := strings.Repeat("kind: ServiceAccount\n", 50_000) // 1 MB
	if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	read := func(info os.FileInfo, limit int64) string {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		data, err := readUpTo(f, info, limit)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	size := int64(len(want))
	for _, tc := range []struct {
		name  string
		info  os.FileInfo
		limit int64
		want  string
	}{
		{"sized", info, size + 1, want},
		{"grew since Stat", staleInfo{info, 100}, size + 1, want},
		{"shrank since Stat", staleInfo{info, 2 * size}, 3 * size, want},
		{"no FileInfo", nil, size + 1, want},
		{"past the limit", info, 1000, want[:1000]},
		{"grew past the limit", staleInfo{info, 10}, 1000, want[:1000]},
	} {
		if got := read(tc.info, tc.limit); got != tc.want {
			t.Errorf("%s: read %d bytes, want %d", tc.name, len(got), len(tc.want))
		}
	}
	// One buffer for the bytes (io.ReadAll grows one about twenty times
	// for a megabyte), besides the open file's own allocations.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		if data, _ := readUpTo(f, info, size+1); len(data) != len(want) {
			t.Fatalf("read %d bytes", len(data))
		}
	})
	if allocs > 3 {
		t.Errorf("reading a 1 MB file made %v allocations, want at most 3", allocs)
	}
}
