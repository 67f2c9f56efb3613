package inventory_test

import (
	"testing"

	"github.com/irsalint/irsalint/analyzer/inventory"
)

// TestMergedReadings: an association listed (no role) and described (with
// its role), or an OIDC provider listed (no audiences) and got, are one
// object with the fields of both; a reading that disagrees is kept apart
// and reported as a duplicate.
func TestMergedReadings(t *testing.T) {
	const assocARN = "arn:aws:eks:eu-west-1:210987654321:podidentityassociation/checkout/a-1"
	list := file{"a-list.json", `{"associations": [{"clusterName": "checkout", "namespace": "shop", "serviceAccount": "cart", "associationArn": "` + assocARN + `", "associationId": "a-1"}]}`}
	describe := func(name, role string) file {
		return file{name, `{"association": {"clusterName": "checkout", "namespace": "shop", "serviceAccount": "cart", "roleArn": "` + role + `", "associationArn": "` + assocARN + `", "associationId": "a-1"}}`}
	}
	cart, other := "arn:aws:iam::210987654321:role/cart", "arn:aws:iam::210987654321:role/other"

	const providerARN = "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/3F6A"
	providers := file{"a-providers.json", `{"OpenIDConnectProviderList": [{"Arn": "` + providerARN + `"}]}`}
	get := func(name, audience string) file {
		return file{name, `{"Arn": "` + providerARN + `", "Url": "oidc.eks.eu-west-1.amazonaws.com/id/3F6A", "ClientIDList": ["` + audience + `"], "ThumbprintList": []}`}
	}
	declaration := func(ref, f string, at []any) any {
		return map[string]any{"ref": ref, "at": at, "file": f, "observed": false}
	}

	for _, tc := range []struct {
		name   string
		files  []file
		merged map[string]any // field: value, of the object under its key
		apart  string         // the ref of the reading kept apart, if any
		dups   []any
		kind   string
		key    string
	}{
		{
			name:   "association listed then described",
			files:  []file{list, describe("b-describe.json", cart)},
			merged: map[string]any{"ref": "a-list.json#0.associations[0]", "roleArn": cart},
			kind:   "podIdentityAssociations", key: "shop/cart",
		},
		{
			name:   "association described with two roles",
			files:  []file{list, describe("b-describe.json", cart), describe("c-describe.json", other)},
			merged: map[string]any{"ref": "a-list.json#0.associations[0]", "roleArn": cart},
			apart:  "c-describe.json#0.association",
			dups: []any{map[string]any{"kind": "PodIdentityAssociation", "key": "shop/cart", "object": "Pod Identity association shop/cart", "declarations": []any{
				declaration("a-list.json#0.associations[0]", "a-list.json", []any{}),
				declaration("c-describe.json#0.association", "c-describe.json", []any{}),
			}}},
			kind: "podIdentityAssociations", key: "shop/cart",
		},
		{
			name:   "provider listed then got",
			files:  []file{providers, get("b-get.json", "sts.amazonaws.com")},
			merged: map[string]any{"clientIds": []any{"sts.amazonaws.com"}},
			kind:   "oidcProviders", key: providerARN,
		},
		{
			name:   "provider got with two audiences",
			files:  []file{providers, get("b-get.json", "sts.amazonaws.com"), get("c-get.json", "other")},
			merged: map[string]any{"clientIds": []any{"sts.amazonaws.com"}},
			apart:  "c-get.json#0",
			kind:   "oidcProviders", key: providerARN,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, diags := build(t, inventory.Cluster{}, inventory.Settings{}, tc.files...)
			equal(t, "diagnostics", diags, []string{})
			objects := inv.Input[tc.kind].(map[string]any)
			got, _ := objects[tc.key].(map[string]any)
			for f, want := range tc.merged {
				equal(t, tc.key+"."+f, got[f], want)
			}
			n := 1
			if tc.apart != "" {
				n = 2
				if objects[tc.apart] == nil {
					t.Errorf("%s: no reading kept apart under %s: %v", tc.kind, tc.apart, objects)
				}
			}
			if len(objects) != n {
				t.Errorf("%s: %d objects, want %d: %v", tc.kind, len(objects), n, objects)
			}
			dups := inv.Input["duplicates"].([]any)
			if tc.dups != nil {
				equal(t, "duplicates", dups, tc.dups)
			} else if (tc.apart != "") != (len(dups) == 1) {
				t.Errorf("duplicates %v, want one exactly when a reading is kept apart", dups)
			}
		})
	}
}
