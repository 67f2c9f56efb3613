package terraform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/render"
	"github.com/irsalint/irsalint/analyzer/source"
)

// renderDir renders the Terraform module in dir (relative to this
// package) as lint does.
func renderDir(t testing.TB, dir string, opts render.Options) render.Output {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	scan := source.ScanPaths([]string{abs}, source.CollectOptions{MaxFileSize: 1 << 20, MaxTotalSize: 1 << 24, MaxFiles: 1000, WorkingDir: wd, Render: true})
	opts.WorkingDir = wd
	return render.Run(context.Background(), scan, []render.Kind{{Kind: source.UnitTerraform, Renderer: Renderer{}}}, opts)
}

// role finds the rendered role of that name.
func roleDoc(t testing.TB, out render.Output, name string) render.Doc {
	t.Helper()
	for _, d := range out.Docs {
		m, _ := d.Doc.Value.(map[string]any)
		if r, ok := m["Role"].(map[string]any); ok && (r["RoleName"] == name || strings.HasSuffix(r["Arn"].(string), "/"+name)) {
			return d
		}
	}
	t.Fatalf("no role %s among %d documents", name, len(out.Docs))
	return render.Doc{}
}

func wantLine(t *testing.T, d render.Doc, path []any, file string, line int) {
	t.Helper()
	loc, _ := d.Doc.Origin.Locate(path)
	if loc.Line != line || !strings.HasSuffix(loc.File, file) {
		t.Errorf("%v is at %s:%d, want %s:%d", path, loc.File, loc.Line, file, line)
	}
}

func wantNotice(t *testing.T, out render.Output, file string, line int, text string) {
	t.Helper()
	for _, d := range out.Diagnostics {
		if d.Level == analyzer.LevelNotice && strings.HasSuffix(d.Location.File, file) && d.Location.Line == line && strings.Contains(d.Message, text) {
			return
		}
	}
	t.Errorf("no notice at %s:%d saying %q; got %v", file, line, text, out.Diagnostics)
}

func TestHeredocPositions(t *testing.T) {
	out := renderDir(t, "testdata/heredoc", render.Options{TFVars: []string{"issuer=oidc.eks.us-west-2.amazonaws.com/id/ABC"}})
	d := roleDoc(t, out, "heredoc")
	doc := []any{"Role", "AssumeRolePolicyDocument"}
	wantLine(t, d, join(doc, "Statement", 0), "heredoc/main.tf", 11)
	wantLine(t, d, join(doc, "Statement", 0, "Principal", "Federated"), "heredoc/main.tf", 13)
	wantLine(t, d, join(doc, "Statement", 0, "Condition", "StringEquals", "oidc.eks.us-west-2.amazonaws.com/id/ABC:sub"), "heredoc/main.tf", 15)
	st := d.Doc.Value.(map[string]any)["Role"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	if got := st["Principal"].(map[string]any)["Federated"]; got != "arn:aws:iam::743263909644:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC" {
		t.Errorf("Federated = %v: the heredoc's interpolation was not rendered", got)
	}
}

const sameModule = "../../../testdata/rules/trust-does-not-admit-sa/fail-terraform-same-module"

func TestPolicyDocumentPositions(t *testing.T) {
	out := renderDir(t, sameModule, render.Options{})
	d := roleDoc(t, out, "checkout-api")
	doc := []any{"Role", "AssumeRolePolicyDocument"}
	issuer := "oidc.eks.eu-west-1.amazonaws.com/id/7C3E91A0B6D24F58A9E1D0C4B7F2A365"
	wantLine(t, d, join(doc, "Statement", 0), "main.tf", 22)
	wantLine(t, d, join(doc, "Statement", 0, "Action"), "main.tf", 24)
	wantLine(t, d, join(doc, "Statement", 0, "Principal"), "main.tf", 26)
	wantLine(t, d, join(doc, "Statement", 0, "Principal", "Federated"), "main.tf", 28)
	wantLine(t, d, join(doc, "Statement", 0, "Condition"), "main.tf", 31)
	wantLine(t, d, join(doc, "Statement", 0, "Condition", "StringEquals"), "main.tf", 32)
	wantLine(t, d, join(doc, "Statement", 0, "Condition", "StringEquals", issuer+":sub"), "main.tf", 33)
	wantLine(t, d, join(doc, "Statement", 0, "Condition", "StringEquals", issuer+":aud"), "main.tf", 39)
	wantLine(t, d, []any{"Role", "RoleName"}, "main.tf", 46)
	if arn := d.Doc.Value.(map[string]any)["Role"].(map[string]any)["Arn"]; arn != "arn:aws:iam::210987654321:role/checkout-api" {
		t.Errorf("Arn = %v", arn)
	}
}

func TestServiceAccountPositions(t *testing.T) {
	out := renderDir(t, sameModule, render.Options{})
	var sa render.Doc
	for _, d := range out.Docs {
		if d.Doc.Value.(map[string]any)["kind"] == "ServiceAccount" {
			sa = d
		}
	}
	if sa.Doc.Value == nil {
		t.Fatal("no ServiceAccount rendered")
	}
	meta := sa.Doc.Value.(map[string]any)["metadata"].(map[string]any)
	if meta["name"] != "api" || meta["namespace"] != "checkout" {
		t.Errorf("metadata = %v", meta)
	}
	// The annotation names the role of the same module by reference: its
	// ARN is the one the role document carries, so they join.
	if got := meta["annotations"].(map[string]any)["eks.amazonaws.com/role-arn"]; got != "arn:aws:iam::210987654321:role/checkout-api" {
		t.Errorf("role-arn annotation = %v", got)
	}
	wantLine(t, sa, []any{"metadata", "annotations", "eks.amazonaws.com/role-arn"}, "main.tf", 55)
	wantLine(t, sa, []any{"metadata", "namespace"}, "main.tf", 53)
}

func TestJSONEncodePositions(t *testing.T) {
	out := renderDir(t, "../../../testdata/rules/trust-wildcard-sub/fail-terraform-jsonencode", render.Options{})
	d := roleDoc(t, out, "prod-services")
	doc := []any{"Role", "AssumeRolePolicyDocument"}
	wantLine(t, d, join(doc, "Statement", 0), "main.tf", 18)
	wantLine(t, d, join(doc, "Statement", 0, "Sid"), "main.tf", 19)
	wantLine(t, d, join(doc, "Statement", 0, "Condition", "StringLike"), "main.tf", 27)
	wantLine(t, d, join(doc, "Statement", 0, "Condition", "StringLike",
		"oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56:sub"), "main.tf", 28)
}

func TestIRSAModule(t *testing.T) {
	out := renderDir(t, "../../../testdata/rules/trust-does-not-admit-sa/fail-terraform-irsa-module-namespace", render.Options{})
	d := roleDoc(t, out, "ebs-csi-driver")
	r := d.Doc.Value.(map[string]any)["Role"].(map[string]any)
	if r["Arn"] != "arn:aws:iam::743263909644:role/ebs-csi-driver" {
		t.Errorf("Arn = %v", r["Arn"])
	}
	issuer := "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"
	st := r["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	cond := st["Condition"].(map[string]any)["StringEquals"].(map[string]any)
	if cond[issuer+":sub"] != "system:serviceaccount:storage:ebs-csi-controller-sa" || cond[issuer+":aud"] != "sts.amazonaws.com" {
		t.Errorf("conditions = %v", cond)
	}
	if st["Action"] != "sts:AssumeRoleWithWebIdentity" {
		t.Errorf("Action = %v", st["Action"])
	}
	doc := []any{"Role", "AssumeRolePolicyDocument"}
	wantLine(t, d, join(doc, "Statement", 0, "Condition", "StringEquals", issuer+":sub", 0), "main.tf", 15)
	wantLine(t, d, join(doc, "Statement", 0, "Principal", "Federated"), "main.tf", 14)
}

func TestVariables(t *testing.T) {
	// terraform.tfvars replaces the default set; --tf-var gives the account.
	out := renderDir(t, "testdata/vars", render.Options{TFVars: []string{"account=111122223333"}})
	if len(out.Docs) != 2 {
		t.Fatalf("%d documents, want reader-b and reader-c", len(out.Docs))
	}
	for _, name := range []string{"reader-b", "reader-c"} {
		d := roleDoc(t, out, name)
		if arn := d.Doc.Value.(map[string]any)["Role"].(map[string]any)["Arn"]; arn != "arn:aws:iam::111122223333:role/"+name {
			t.Errorf("Arn = %v", arn)
		}
	}
	if out.Docs[0].Doc.Index == out.Docs[1].Doc.Index {
		t.Error("two documents of one file share an index")
	}
}

func TestUnresolved(t *testing.T) {
	out := renderDir(t, "testdata/unresolved", render.Options{})
	wantNotice(t, out, "unresolved/main.tf", 17, "could not resolve data.kubernetes_namespace.apps.metadata[0].name (a data source")
	wantNotice(t, out, "unresolved/main.tf", 34, `could not evaluate file("${path.module}/trust.json")`)
	wantNotice(t, out, "unresolved/main.tf", 2, "could not resolve aws_eks_cluster.main.identity[0].oidc[0].issuer (a resource attribute")
	d := roleDoc(t, out, "app")
	st := d.Doc.Value.(map[string]any)["Role"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	sub := st["Condition"].(map[string]any)["StringEquals"].(map[string]any)["oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56:sub"]
	if sub != "system:serviceaccount:${data.kubernetes_namespace.apps.metadata[0].name}:app" {
		t.Errorf("sub = %v, want the unknown part as its interpolation", sub)
	}
	// A trust that cannot be evaluated at all: the role is still there,
	// with a principal that is the unresolved expression.
	w := roleDoc(t, out, "whole")
	p := w.Doc.Value.(map[string]any)["Role"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)["Principal"]
	if p.(map[string]any)["AWS"] != `${file("${path.module}/trust.json")}` {
		t.Errorf("principal = %v", p)
	}
	for _, d := range out.Docs {
		if _, ok := d.Doc.Value.(map[string]any)["Url"]; ok {
			t.Error("an OIDC provider with an unknown URL was rendered")
		}
	}
}

func TestCycle(t *testing.T) {
	out := renderDir(t, "testdata/cycle", render.Options{})
	wantNotice(t, out, "cycle/main.tf", 3, "local.a refers to itself")
	if len(out.Docs) != 1 {
		t.Fatalf("%d documents, want the role", len(out.Docs))
	}
}

func TestSyntaxError(t *testing.T) {
	out := renderDir(t, "testdata/syntax", render.Options{})
	for _, d := range out.Diagnostics {
		if d.Level == analyzer.LevelError && strings.HasSuffix(d.Location.File, "syntax/main.tf") && d.Location.Line == 3 && d.Location.Column == 24 {
			return
		}
	}
	t.Errorf("no error at syntax/main.tf:3:24; got %v", out.Diagnostics)
}

func TestJSONSyntax(t *testing.T) {
	out := renderDir(t, "testdata/json", render.Options{})
	d := roleDoc(t, out, "json-role")
	if len(out.Consumed) != 1 || !strings.HasSuffix(out.Consumed[0], "main.tf.json") {
		t.Errorf("Consumed = %v: a .tf.json file must not be read again as a raw JSON document", out.Consumed)
	}
	st := d.Doc.Value.(map[string]any)["Role"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
	if st["Principal"].(map[string]any)["Service"] != "pods.eks.amazonaws.com" {
		t.Errorf("statement = %v", st)
	}
	wantLine(t, d, []any{"Role", "AssumeRolePolicyDocument", "Statement", 0}, "main.tf.json", 6)
}

func TestCountCap(t *testing.T) {
	dir := t.TempDir()
	src := `resource "aws_iam_role" "many" {
  count = 5000
  name  = "r-${count.index}"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := renderDir(t, dir, render.Options{AccountID: "111122223333"})
	if len(out.Docs) != maxInstances {
		t.Errorf("%d documents, want the cap %d", len(out.Docs), maxInstances)
	}
	wantNotice(t, out, "main.tf", 2, "only the first 1000 instances")
}

// Expressions that would build more than the bounds — locals that double
// the one before, for expressions nested three deep or fanning a large
// string out a million times, functions whose result outgrows their
// arguments — are left unknown with a notice instead of exhausting memory;
// an ordinary nested for expression is still evaluated.
func TestBounds(t *testing.T) {
	out := renderDir(t, "testdata/hostile", render.Options{})
	wantNotice(t, out, "hostile/main.tf", 33, "could not evaluate local.big: for expressions nest too deep")
	wantNotice(t, out, "hostile/main.tf", 18, "could not evaluate local.b16: the value would be too large")
	wantNotice(t, out, "hostile/main.tf", 41, "could not evaluate local.product: Error in function call (Call to function \"setproduct\" failed: setproduct: products of more than 65536 elements")
	wantNotice(t, out, "hostile/main.tf", 42, "could not evaluate local.wide: Error in function call (Call to function \"format\" failed: format: widths and precisions of five digits or more")
	wantNotice(t, out, "hostile/main.tf", 43, "could not evaluate local.indented: Error in function call (Call to function \"indent\" failed: indent: indents of more than 1024 spaces")
	wantNotice(t, out, "hostile/main.tf", 44, "could not evaluate local.joined: Error in function call (Call to function \"join\" failed: join: the result would be larger than 4 MiB")
	wantNotice(t, out, "hostile/main.tf", 45, "could not evaluate local.fanned: the value would be too large")
	for _, d := range out.Diagnostics {
		if strings.Contains(d.Message, "local.fine") {
			t.Errorf("an ordinary nested for expression is not evaluated: %s", d.Message)
		}
	}
}

// A provider ARN written with the module's own partition and account is
// the role's own provider: the partition is the issuer region's, the
// account the role's (its placeholder), so the trust is judged. Data
// sources of another provider configuration than the role's, a host that
// tells no region, and other variables stay unknowns.
func TestSelfProvider(t *testing.T) {
	out := renderDir(t, "testdata/self", render.Options{})
	const issuer = ":oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AB"
	for name, want := range map[string]string{
		"own":     "arn:aws:iam::" + unknownAccount + issuer,
		"china":   "arn:aws-cn:iam::111122223333:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/AB",
		"other":   "arn:aws:iam::${data.aws_caller_identity.other.account_id}" + issuer,
		"github":  "arn:${data.aws_partition.current.partition}:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
		"var":     "arn:aws:iam::${var.account}" + issuer,
		"aliased": "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}" + issuer,
	} {
		d := roleDoc(t, out, name)
		st := d.Doc.Value.(map[string]any)["Role"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)[0].(map[string]any)
		if got := st["Principal"].(map[string]any)["Federated"]; got != want {
			t.Errorf("%s: Federated = %v\nwant %v", name, got, want)
		}
	}
	roleDoc(t, out, "each-unknown")
}
