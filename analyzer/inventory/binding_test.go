package inventory_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/irsalint/irsalint/analyzer/inventory"
)

const bindingIssuer = "oidc.eks.us-west-2.amazonaws.com/id/1029FF88CB872B6B7A1CC65D44191A56"

// bindingRoles: cart's trust admits shop/cart and names shop/old, which a
// Deny closes; dated's audience condition is one only Rego decides.
const bindingRoles = `{"RoleDetailList": [
 {"RoleName": "cart", "Path": "/", "Arn": "arn:aws:iam::743263909644:role/cart",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
   {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::743263909644:oidc-provider/` + bindingIssuer + `"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"` + bindingIssuer + `:aud": "sts.amazonaws.com",
      "` + bindingIssuer + `:sub": ["system:serviceaccount:shop:cart", "system:serviceaccount:shop:old"]}}},
   {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"` + bindingIssuer + `:sub": "system:serviceaccount:shop:old"}}}]}},
 {"RoleName": "dated", "Path": "/", "Arn": "arn:aws:iam::743263909644:role/dated",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
   {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::743263909644:oidc-provider/` + bindingIssuer + `"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"` + bindingIssuer + `:sub": "system:serviceaccount:shop:report"},
      "NumericLessThan": {"` + bindingIssuer + `:aud": "10"}}}]}}]}`

const bindingSAs = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: cart
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::743263909644:role/cart
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::743263909644:role/cart
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: report
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::743263909644:role/dated
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: gone
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::743263909644:role/missing
`

func TestTrustFacts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cluster  inventory.Cluster
		inferred bool
	}{
		{"inferred", inventory.Cluster{}, true},
		{"configured", inventory.Cluster{OIDCIssuer: bindingIssuer}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, diags := build(t, tc.cluster, inventory.DefaultSettings(), file{"iam.json", bindingRoles}, file{"sa.yaml", bindingSAs})
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			sas := inv.Input["serviceAccounts"].(map[string]any)
			trust := func(key string) any { return sas[key].(map[string]any)["trust"] }
			equal(t, "shop/cart", trust("shop/cart"), map[string]any{"decision": "allow", "issuer": bindingIssuer, "inferred": tc.inferred})
			equal(t, "shop/api", trust("shop/api"), map[string]any{"decision": "implicit-deny", "issuer": bindingIssuer, "inferred": tc.inferred})
			// Left to the rules: the aud condition is numeric.
			equal(t, "shop/report", trust("shop/report"), nil)
			// Not in the scan, so nothing to decide.
			equal(t, "shop/gone", trust("shop/gone"), nil)
			roles := inv.Input["roles"].(map[string]any)
			admits := func(key string) any { return roles[key].(map[string]any)["admits"] }
			equal(t, "cart admits", admits("arn:aws:iam::743263909644:role/cart"), []any{
				map[string]any{"namespace": "shop", "name": "cart", "statement": 0, "federated": 0, "condition": 1, "admitted": true},
				map[string]any{"namespace": "shop", "name": "old", "statement": 0, "federated": 0, "condition": 1, "admitted": false},
			})
			equal(t, "dated admits", admits("arn:aws:iam::743263909644:role/dated"), []any{
				map[string]any{"namespace": "shop", "name": "report", "statement": 0, "federated": 0, "condition": 1, "admitted": nil},
			})
		})
	}
}

// TestTrustFactsOtherCluster: a configured issuer that no trust names
// leaves every role admitting no one of this cluster, and every verdict
// an implicit deny with that issuer.
func TestTrustFactsOtherCluster(t *testing.T) {
	other := "oidc.eks.eu-west-1.amazonaws.com/id/5E8B3C0A7D2F4916B1C6E0A9D3F7B248"
	inv, _ := build(t, inventory.Cluster{OIDCIssuer: other}, inventory.DefaultSettings(), file{"iam.json", bindingRoles}, file{"sa.yaml", bindingSAs})
	sa := inv.Input["serviceAccounts"].(map[string]any)["shop/cart"].(map[string]any)
	equal(t, "verdict", sa["trust"], map[string]any{"decision": "implicit-deny", "issuer": other, "inferred": false})
	role := inv.Input["roles"].(map[string]any)["arn:aws:iam::743263909644:role/cart"].(map[string]any)
	equal(t, "admits", role["admits"], []any{})
}

// TestResolveTwice: an input resolved again under another cluster keeps
// no verdict of the first.
func TestResolveTwice(t *testing.T) {
	inv, _ := build(t, inventory.Cluster{OIDCIssuer: bindingIssuer}, inventory.DefaultSettings(), file{"iam.json", bindingRoles}, file{"sa.yaml", bindingSAs})
	in := inv.Input
	roles := in["roles"].(map[string]any)
	// The cart role's policy becomes one that cannot be read unambiguously.
	cart := map[string]any{}
	for k, v := range roles["arn:aws:iam::743263909644:role/cart"].(map[string]any) {
		cart[k] = v
	}
	tp := map[string]any{}
	for k, v := range cart["trustPolicy"].(map[string]any) {
		tp[k] = v
	}
	tp["lossy"] = true
	cart["trustPolicy"] = tp
	next := map[string]any{}
	for k, v := range roles {
		next[k] = v
	}
	next["arn:aws:iam::743263909644:role/cart"] = cart
	changed := map[string]any{}
	for k, v := range in {
		changed[k] = v
	}
	changed["roles"] = next
	again := inventory.Resolve(changed)
	sa := again["serviceAccounts"].(map[string]any)["shop/cart"].(map[string]any)
	if _, ok := sa["trust"]; ok {
		t.Errorf("a lossy trust kept the verdict of the first resolution: %v", sa["trust"])
	}
	equal(t, "admits", again["roles"].(map[string]any)["arn:aws:iam::743263909644:role/cart"].(map[string]any)["admits"], []any{})
	if _, ok := in["serviceAccounts"].(map[string]any)["shop/cart"].(map[string]any)["trust"]; !ok {
		t.Error("Resolve changed the input it was given")
	}
}

// TestResolveInChunks: a scan large enough to resolve on every core gives
// each workload the facts it gets resolved alone.
func TestResolveInChunks(t *testing.T) {
	var b strings.Builder
	images := []string{"amazon/aws-cli:2", "nginx:1.27", "public.ecr.aws/karpenter/controller:1", "busybox"}
	for i := range 1500 {
		fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w%d, namespace: ns%d}\nspec:\n  template:\n    spec:\n      serviceAccountName: sa%d\n      containers:\n      - name: c\n        image: %s\n        env: [{name: AWS_REGION, value: us-west-2}]\n", i, i%7, i%3, images[i%len(images)])
	}
	for i := range 7 {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa1, namespace: ns%d, annotations: {eks.amazonaws.com/role-arn: \"arn:aws:iam::743263909644:role/cart\"}}\n", i)
	}
	inv, diags := build(t, inventory.Cluster{}, inventory.DefaultSettings(), file{"w.yaml", b.String()})
	if len(diags) > 0 {
		t.Fatal(diags[0])
	}
	all := inv.Input["workloads"].([]any)
	if len(all) != 1500 {
		t.Fatalf("%d workloads", len(all))
	}
	for _, i := range []int{0, 1, 499, 750, 1001, 1499} {
		alone := map[string]any{}
		for k, v := range inv.Input {
			alone[k] = v
		}
		alone["workloads"] = []any{all[i]}
		equal(t, fmt.Sprint("workload ", i), inventory.Resolve(alone)["workloads"].([]any)[0], all[i])
	}
}

// TestTrustFactsEachAsAlone: in a scan of 1,200 ServiceAccounts and roles,
// each gets the facts it gets decided alone.
func TestTrustFactsEachAsAlone(t *testing.T) {
	const n = 1200
	var roles, sas strings.Builder
	roles.WriteString(`{"RoleDetailList": [`)
	for i := range n {
		if i > 0 {
			roles.WriteString(",")
		}
		subjects := fmt.Sprintf(`"system:serviceaccount:ns%d:sa%d"`, i%5, i)
		if i%3 == 0 {
			subjects += fmt.Sprintf(`, "system:serviceaccount:other:sa%d"`, i)
		}
		fmt.Fprintf(&roles, `{"RoleName": "r%d", "Path": "/", "Arn": "arn:aws:iam::743263909644:role/r%d",
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
   {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::743263909644:oidc-provider/%s"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"%s:aud": "sts.amazonaws.com", "%s:sub": [%s]}}}]}}`, i, i, bindingIssuer, bindingIssuer, bindingIssuer, subjects)
		// Every fourth ServiceAccount names the next role, whose trust
		// does not admit it.
		role := i
		if i%4 == 0 {
			role = (i + 1) % n
		}
		fmt.Fprintf(&sas, "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa%d, namespace: ns%d, annotations: {eks.amazonaws.com/role-arn: \"arn:aws:iam::743263909644:role/r%d\"}}\n", i, i%5, role)
	}
	roles.WriteString("]}")
	inv, diags := build(t, inventory.Cluster{}, inventory.DefaultSettings(), file{"iam.json", roles.String()}, file{"sa.yaml", sas.String()})
	if len(diags) > 0 {
		t.Fatal(diags[0])
	}
	allSAs := inv.Input["serviceAccounts"].(map[string]any)
	allRoles := inv.Input["roles"].(map[string]any)
	decisions := map[any]int{}
	for _, i := range []int{0, 1, 2, 499, 600, 601, 1000, 1199} {
		key := fmt.Sprintf("ns%d/sa%d", i%5, i)
		sa := allSAs[key].(map[string]any)
		arn := sa["annotations"].(map[string]any)["eks.amazonaws.com/role-arn"].(string)
		alone := map[string]any{}
		for k, v := range inv.Input {
			alone[k] = v
		}
		alone["serviceAccounts"] = map[string]any{key: sa}
		alone["roles"] = map[string]any{arn: allRoles[arn]}
		got := inventory.Resolve(alone)
		equal(t, key+" trust", got["serviceAccounts"].(map[string]any)[key], sa)
		equal(t, arn+" admits", got["roles"].(map[string]any)[arn], allRoles[arn])
		decisions[sa["trust"].(map[string]any)["decision"]]++
	}
	if decisions["allow"] == 0 || decisions["implicit-deny"] == 0 {
		t.Errorf("the sample should hold both verdicts: %v", decisions)
	}
}
