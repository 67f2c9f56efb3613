package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/irsalint/irsalint/analyzer/inventory"
	"github.com/irsalint/irsalint/analyzer/lint"
)

// inventoryOf writes files into a temporary folder and builds the inventory
// the rules would see.
func inventoryOf(t *testing.T, cluster inventory.Cluster, files map[string]string) map[string]any {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inv, diags := lint.Load(context.Background(), lint.Input{Paths: []string{dir}, WorkingDir: dir, Cluster: cluster, Settings: inventory.DefaultSettings()})
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	return inv.Input
}

func queryInventory(t *testing.T, expr string, input map[string]any) any {
	t.Helper()
	val, err := ast.InterfaceToValue(input)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(rego.Query("x := "+expr), rego.Compiler(lib(t)), rego.ParsedInput(val), rego.StrictBuiltinErrors(true)).Eval(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if len(rs) == 0 {
		return nil
	}
	return rs[0].Bindings["x"]
}

const shopCart = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: cart
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::743263909644:role/cart
`

func authDetails(sub string) string {
	return `{"RoleDetailList": [{"RoleName": "cart", "Path": "/", "Arn": "arn:aws:iam::743263909644:role/cart",
  "AssumeRolePolicyDocument": ` + trust(`, "Condition": {"StringEquals": {"`+issuer+`:aud": "sts.amazonaws.com", "`+issuer+`:sub": "`+sub+`"}}`) + `}]}`
}

func TestBindingVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cluster   inventory.Cluster
		sub       string
		decision  string
		inferred  bool
		issuerSet bool
	}{
		{"configured issuer, admitted", inventory.Cluster{OIDCIssuer: issuer}, "system:serviceaccount:shop:cart", "allow", false, true},
		{"configured issuer, other namespace", inventory.Cluster{OIDCIssuer: issuer}, "system:serviceaccount:checkout:cart", "implicit-deny", false, true},
		{"inferred issuer, admitted", inventory.Cluster{}, "system:serviceaccount:shop:cart", "allow", true, true},
		{"another cluster's issuer configured", inventory.Cluster{OIDCIssuer: other}, "system:serviceaccount:shop:cart", "implicit-deny", false, true},
	} {
		input := inventoryOf(t, tc.cluster, map[string]string{"sa.yaml": shopCart, "iam/auth.json": authDetails(tc.sub)})
		links := queryInventory(t, "data.irsalint.lib.binding.links", input).([]any)
		if len(links) != 1 {
			t.Fatalf("%s: %d links", tc.name, len(links))
		}
		l := links[0].(map[string]any)
		v := l["verdict"].(map[string]any)
		if v["decision"] != tc.decision || v["inferred"] != tc.inferred {
			t.Errorf("%s: verdict %v, want %s inferred=%v", tc.name, v, tc.decision, tc.inferred)
		}
		if l["inventoried"] != true || l["role"] == nil || l["parsed"] == nil {
			t.Errorf("%s: link %v", tc.name, l)
		}
	}
}

func TestBindingRoleNotInventoried(t *testing.T) {
	input := inventoryOf(t, inventory.Cluster{OIDCIssuer: issuer}, map[string]string{"sa.yaml": shopCart})
	l := queryInventory(t, "data.irsalint.lib.binding.links[0]", input).(map[string]any)
	if l["role"] != nil || l["inventoried"] != false || l["verdict"] != nil {
		t.Errorf("link %v", l)
	}
}

func TestBindingAdmittedAndNamespaces(t *testing.T) {
	doc := `{"RoleDetailList": [
	  {"RoleName": "shared", "Arn": "arn:aws:iam::743263909644:role/shared", "AssumeRolePolicyDocument": ` +
		trust(`, "Condition": {"StringEquals": {"`+issuer+`:aud": "sts.amazonaws.com", "`+issuer+`:sub": ["system:serviceaccount:a:app", "system:serviceaccount:b:app"]}}`) + `},
	  {"RoleName": "single", "Arn": "arn:aws:iam::743263909644:role/single", "AssumeRolePolicyDocument": ` +
		trust(`, "Condition": {"StringEquals": {"`+issuer+`:aud": "sts.amazonaws.com", "`+issuer+`:sub": ["system:serviceaccount:a:x", "system:serviceaccount:a:y"]}}`) + `}]}`
	input := inventoryOf(t, inventory.Cluster{OIDCIssuer: issuer}, map[string]string{"iam/auth.json": doc})
	keys := queryInventory(t, "data.irsalint.lib.binding.admitted_keys", input).([]any)
	if len(keys) != 4 {
		t.Errorf("admitted keys %v", keys)
	}
	multi := queryInventory(t, "data.irsalint.lib.binding.multi_namespace_roles", input).([]any)
	if len(multi) != 1 || multi[0] != "arn:aws:iam::743263909644:role/shared" {
		t.Errorf("multi-namespace roles %v", multi)
	}
	// Another cluster's issuer: nothing this cluster's.
	input = inventoryOf(t, inventory.Cluster{OIDCIssuer: other}, map[string]string{"iam/auth.json": doc})
	if keys := queryInventory(t, "data.irsalint.lib.binding.admitted_keys", input).([]any); len(keys) != 0 {
		t.Errorf("another cluster: admitted %v", keys)
	}
}
