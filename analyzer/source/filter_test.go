package source

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIncludeAndExclude(t *testing.T) {
	root := tree(t, map[string]string{
		"deploy/app.yaml":                "a: 1\n",
		"deploy/app.generated.yaml":      "a: 1\n",
		"deploy/test/fixture.yaml":       "a: 1\n",
		"iam/roles.json":                 "{}",
		"charts-out/rendered.yaml":       "a: 1\n",
		"docs/examples/trust.json":       "{}",
		"deploy/nested/test/inner.yaml":  "a: 1\n",
		"deploy/nested/keep/inner.yaml":  "a: 1\n",
		"deploy/nested/keep/other.yml":   "a: 1\n",
		"deploy/nested/keep/readme.json": "{}",
	})
	for _, tc := range []struct {
		name             string
		include, exclude []string
		args             []string
		want             []string
	}{
		{"a name glob at any depth", nil, []string{"*.generated.yaml"}, nil,
			[]string{"charts-out/rendered.yaml", "deploy/app.yaml", "deploy/nested/keep/inner.yaml", "deploy/nested/keep/other.yml", "deploy/nested/keep/readme.json", "deploy/nested/test/inner.yaml", "deploy/test/fixture.yaml", "docs/examples/trust.json", "iam/roles.json"}},
		{"a folder name prunes every folder of that name", nil, []string{"test"}, nil,
			[]string{"charts-out/rendered.yaml", "deploy/app.generated.yaml", "deploy/app.yaml", "deploy/nested/keep/inner.yaml", "deploy/nested/keep/other.yml", "deploy/nested/keep/readme.json", "docs/examples/trust.json", "iam/roles.json"}},
		{"a path glob is relative to its base", nil, []string{"docs/**", "deploy/nested/**/*.json"}, nil,
			[]string{"charts-out/rendered.yaml", "deploy/app.generated.yaml", "deploy/app.yaml", "deploy/nested/keep/inner.yaml", "deploy/nested/keep/other.yml", "deploy/nested/test/inner.yaml", "deploy/test/fixture.yaml", "iam/roles.json"}},
		{"include selects files, exclude wins", []string{"deploy/**/*.yaml", "iam/*.json"}, []string{"**/test/**"}, nil,
			[]string{"deploy/app.generated.yaml", "deploy/app.yaml", "deploy/nested/keep/inner.yaml", "iam/roles.json"}},
		{"a named file is read whatever the globs", nil, []string{"*.generated.yaml"}, []string{"deploy/app.generated.yaml"},
			[]string{"deploy/app.generated.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := CollectOptions{WorkingDir: root}
			for _, g := range tc.include {
				opts.Include = append(opts.Include, Pattern{Glob: g, Base: root})
			}
			for _, g := range tc.exclude {
				opts.Exclude = append(opts.Exclude, Pattern{Glob: g, Base: root})
			}
			files, diags := Collect(tc.args, opts)
			got := paths(files)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || len(diags) > 0 {
				t.Errorf("got %v (%v)\nwant %v", got, diags, tc.want)
			}
		})
	}
	if ValidPattern("deploy/[") || !ValidPattern("deploy/**/{a,b}.yaml") {
		t.Error("ValidPattern")
	}
}

func TestGitIgnore(t *testing.T) {
	root := tree(t, map[string]string{
		".gitignore":             "/out/\n*.local.yaml\n!keep.local.yaml\n",
		".git/info/exclude":      "scratch/\n",
		"out/rendered.yaml":      "a: 1\n",
		"app.yaml":               "a: 1\n",
		"dev.local.yaml":         "a: 1\n",
		"keep.local.yaml":        "a: 1\n",
		"scratch/try.yaml":       "a: 1\n",
		"svc/.gitignore":         "secret*.yaml\n",
		"svc/deploy.yaml":        "a: 1\n",
		"svc/secret-prod.yaml":   "a: 1\n",
		"other/secret-prod.yaml": "a: 1\n",
		"svc/sub/out/x.yaml":     "a: 1\n",
	})
	want := []string{"app.yaml", "keep.local.yaml", "other/secret-prod.yaml", "svc/deploy.yaml", "svc/sub/out/x.yaml"}
	files, diags := Collect(nil, CollectOptions{WorkingDir: root})
	if got := paths(files); !slices.Equal(got, want) || len(diags) > 0 {
		t.Errorf("in the work tree: got %v (%v)\nwant %v", got, diags, want)
	}
	// Linting a sub-folder applies the .gitignore files above it.
	files, _ = Collect([]string{"svc"}, CollectOptions{WorkingDir: root})
	if got := paths(files); !slices.Equal(got, []string{"svc/deploy.yaml", "svc/sub/out/x.yaml"}) {
		t.Errorf("sub-folder: got %v", got)
	}
	files, _ = Collect(nil, CollectOptions{WorkingDir: root, NoGitIgnore: true})
	if len(files) != 9 {
		t.Errorf("--no-gitignore: got %v", paths(files))
	}
	// Outside a work tree, .gitignore means nothing.
	if err := os.RemoveAll(filepath.Join(root, ".git")); err != nil {
		t.Fatal(err)
	}
	files, _ = Collect(nil, CollectOptions{WorkingDir: root})
	if len(files) != 9 {
		t.Errorf("not a work tree: got %v", paths(files))
	}
}
