package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestArtifact(t *testing.T) {
	cases := []struct {
		wd, file string
		uri      string
		base     string
	}{
		{"/repo", "deploy/sa.yaml", "deploy/sa.yaml", srcRoot},
		{"/repo", "./deploy//sa.yaml", "deploy/sa.yaml", srcRoot},
		{"/repo", "deploy/my app/sa.yaml", "deploy/my%20app/sa.yaml", srcRoot},
		{"/repo", "a#b?c%d:e[f].yaml", "a%23b%3Fc%25d%3Ae%5Bf%5D.yaml", srcRoot},
		{"/repo", "café/ü.yaml", "caf%C3%A9/%C3%BC.yaml", srcRoot},
		{"/repo", "/repo/deploy/sa.yaml", "deploy/sa.yaml", srcRoot},
		{"/repo/", "/repo/deploy/sa.yaml", "deploy/sa.yaml", srcRoot},
		{"/repo", "/repository/sa.yaml", "file:///repository/sa.yaml", ""},
		{"/repo", "/opt/iam/my trust.json", "file:///opt/iam/my%20trust.json", ""},
		{"", "/opt/iam/trust.json", "file:///opt/iam/trust.json", ""},
		{"/home/u/repo", "../shared/trust.json", "file:///home/u/shared/trust.json", ""},
		{"", "../shared/trust.json", "../shared/trust.json", srcRoot},
		{"/repo", "<stdin>", "%3Cstdin%3E", ""},
		{"/repo", "deploy/from-stdin.yaml", "deploy/from-stdin.yaml", srcRoot},
		{"", "C:/work/trust.json", "file:///C:/work/trust.json", ""},
	}
	for _, c := range cases {
		m := uriMapper{workingDir: slashDir(c.wd)}
		got := m.artifact(c.file)
		if got.URI != c.uri || got.URIBaseID != c.base {
			t.Errorf("artifact(%q) in %q = %+v, want uri %q base %q", c.file, c.wd, got, c.uri, c.base)
		}
	}
	if got := dirURI(slashDir("/home/my user/repo/")); got != "file:///home/my%20user/repo/" {
		t.Errorf("dirURI = %q", got)
	}
	if got := dirURI("/"); got != "file:///" {
		t.Errorf("dirURI(/) = %q", got)
	}
}

func TestTruncate(t *testing.T) {
	short := "fits"
	if got := truncate(short, 1024); got != short {
		t.Errorf("truncate changed a short text: %q", got)
	}
	long := strings.Repeat("wörd ", 300) // 1500 runes
	got := truncate(long, 1024)
	if n := utf8.RuneCountInString(got); n > 1024 || n < 1000 {
		t.Errorf("truncated to %d runes, want at most 1024 and close to it", n)
	}
	if !strings.HasSuffix(got, "wörd…") {
		t.Errorf("not cut at a word boundary: ...%q", got[len(got)-20:])
	}
	noSpace := strings.Repeat("x", 2000)
	if got := truncate(noSpace, 1024); utf8.RuneCountInString(got) != 1024 {
		t.Errorf("hard cut: got %d runes", utf8.RuneCountInString(got))
	}
}

func TestPascalCase(t *testing.T) {
	for in, want := range map[string]string{
		"role-arn-invalid":      "RoleArnInvalid",
		"irsa.v2_token-missing": "IrsaV2TokenMissing",
		"Already":               "Already",
		"--":                    "",
	} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSemanticVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v0.4.0":                             "0.4.0",
		"1.2.3-rc.1+build.5":                 "1.2.3-rc.1+build.5",
		"v0.0.0-20260101120000-abcdef123456": "0.0.0-20260101120000-abcdef123456",
		"(devel)":                            "",
		"1.2":                                "",
		"v01.2.3":                            "",
		"":                                   "",
	} {
		if got := semanticVersion(in); got != want {
			t.Errorf("semanticVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	if got, want := escapeData("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("dir,1/a:b%.yaml\n"), "dir%2C1/a%3Ab%25.yaml%0A"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
}

func TestHelp(t *testing.T) {
	r := fixture().Rules[2]
	text := helpText(r, r.Description)
	for _, want := range []string{
		r.Description + "\n\nRemediation: " + r.Remediation,
		"\n\nReferences:\n- Assign IAM roles to Kubernetes service accounts: https://docs.aws.amazon.com/",
		"\n- https://docs.aws.amazon.com/IAM/",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("help.text lacks %q:\n%s", want, text)
		}
	}
	md := helpMarkdown(r, r.Description)
	for _, want := range []string{
		"\n\n## Remediation\n\n" + escapeHTMLTags(r.Remediation),
		`(system:serviceaccount:\<namespace>:\<name>)`,
		"\n\n## References\n\n- [Assign IAM roles to Kubernetes service accounts](<https://docs.aws.amazon.com/eks/",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("help.markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestEscapeHTMLTags(t *testing.T) {
	for in, want := range map[string]string{
		"system:serviceaccount:<namespace>:<name>":   `system:serviceaccount:\<namespace>:\<name>`,
		"`system:serviceaccount:<ns>:<name>` or <x>": "`system:serviceaccount:<ns>:<name>` or \\<x>",
		"see <https://aws.amazon.com/>":              "see <https://aws.amazon.com/>",
		"a < b":                                      `a \< b`,
	} {
		if got := escapeHTMLTags(in); got != want {
			t.Errorf("escapeHTMLTags(%q) = %q, want %q", in, got, want)
		}
	}
}
