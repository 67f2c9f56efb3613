package kube

import (
	"bytes"
	"os"
	"slices"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

const clusterRolePath = "../../deploy/kubernetes/clusterrole.yaml"

// loadClusterRole reads the shipped ClusterRole and its binding.
func loadClusterRole(t *testing.T) (*rbacv1.ClusterRole, *rbacv1.ClusterRoleBinding) {
	t.Helper()
	b, err := os.ReadFile(clusterRolePath)
	if err != nil {
		t.Fatal(err)
	}
	var role *rbacv1.ClusterRole
	var binding *rbacv1.ClusterRoleBinding
	for _, doc := range bytes.Split(b, []byte("\n---\n")) {
		var meta struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatal(err)
		}
		if meta.APIVersion != rbacv1.SchemeGroupVersion.String() {
			t.Fatalf("%s: apiVersion %q, want %s", clusterRolePath, meta.APIVersion, rbacv1.SchemeGroupVersion)
		}
		switch meta.Kind {
		case "ClusterRole":
			role = &rbacv1.ClusterRole{}
			err = yaml.UnmarshalStrict(doc, role)
		case "ClusterRoleBinding":
			binding = &rbacv1.ClusterRoleBinding{}
			err = yaml.UnmarshalStrict(doc, binding)
		default:
			t.Fatalf("%s: unexpected kind %q", clusterRolePath, meta.Kind)
		}
		if err != nil {
			t.Fatalf("%s: %s: %v", clusterRolePath, meta.Kind, err)
		}
	}
	if role == nil || binding == nil {
		t.Fatalf("%s: want one ClusterRole and one ClusterRoleBinding", clusterRolePath)
	}
	return role, binding
}

type grant struct{ group, resource, verb string }

// TestClusterRoleMatchesResources keeps the shipped ClusterRole exactly as
// wide as what Collect does: a resource added to Resources without a grant
// would be a Failure on every real cluster, and a grant Collect does not use
// asks an operator for more than irsalint needs.
func TestClusterRoleMatchesResources(t *testing.T) {
	role, binding := loadClusterRole(t)

	used := map[grant]bool{}
	for _, r := range Resources {
		for _, v := range Verbs {
			used[grant{r.Group, r.Resource, v}] = true
		}
	}
	granted := map[grant]bool{}
	for i, rule := range role.Rules {
		if len(rule.NonResourceURLs) > 0 || len(rule.ResourceNames) > 0 {
			t.Errorf("rule %d: nonResourceURLs or resourceNames: Collect needs neither", i)
		}
		for _, g := range rule.APIGroups {
			for _, r := range rule.Resources {
				for _, v := range rule.Verbs {
					if g == "*" || r == "*" || v == "*" {
						t.Errorf("rule %d: wildcard in %q/%q/%q", i, g, r, v)
					}
					granted[grant{g, r, v}] = true
				}
			}
		}
	}
	for g := range used {
		if !granted[g] {
			t.Errorf("Collect uses %s %q in group %q; the ClusterRole does not grant it", g.verb, g.resource, g.group)
		}
	}
	for g := range granted {
		if !used[g] {
			t.Errorf("the ClusterRole grants %s %q in group %q; Collect does not use it", g.verb, g.resource, g.group)
		}
	}

	if role.Name != "irsalint-audit" {
		t.Errorf("ClusterRole name %q, want irsalint-audit", role.Name)
	}
	if binding.RoleRef != (rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}) {
		t.Errorf("binding roleRef %+v does not name the ClusterRole", binding.RoleRef)
	}
	want := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "irsalint-audit", Namespace: "irsalint"}}
	if !slices.Equal(binding.Subjects, want) {
		t.Errorf("binding subjects %+v, want %+v", binding.Subjects, want)
	}
}
