package eks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/eks"
	"github.com/irsalint/irsalint/analyzer/internal/textpos"
	"github.com/irsalint/irsalint/analyzer/source"
)

const fuzzFile = "eks/associations.json"

var eksSeeds = []string{
	"",
	// aws eks list-pod-identity-associations --cluster-name shop-prod
	`{
    "associations": [
        {
            "clusterName": "shop-prod",
            "namespace": "cart",
            "serviceAccount": "cart-api",
            "associationArn": "arn:aws:eks:eu-central-1:210987654321:podidentityassociation/shop-prod/a-4kq2m9x7w3z8r5t1n",
            "associationId": "a-4kq2m9x7w3z8r5t1n",
            "ownerArn": "arn:aws:eks:eu-central-1:210987654321:addon/shop-prod/aws-ebs-csi-driver/7ac8f9a1"
        },
        {
            "clusterName": "shop-prod",
            "namespace": "cart",
            "serviceAccount": "worker",
            "associationArn": "arn:aws:eks:eu-central-1:210987654321:podidentityassociation/shop-prod/a-9c1v6b3n8m2l4k7j0",
            "associationId": "a-9c1v6b3n8m2l4k7j0"
        }
    ],
    "nextToken": "eyJhc3NvY2lhdGlvbklkIjoiYS05YzF2NmIzbjhtMmw0azdqMCJ9"
}
`,
	// aws eks describe-pod-identity-association
	`{
    "association": {
        "clusterName": "shop-prod",
        "namespace": "cart",
        "serviceAccount": "worker",
        "roleArn": "arn:aws:iam::210987654321:role/cart-worker",
        "associationArn": "arn:aws:eks:eu-central-1:210987654321:podidentityassociation/shop-prod/a-9c1v6b3n8m2l4k7j0",
        "associationId": "a-9c1v6b3n8m2l4k7j0",
        "tags": {},
        "createdAt": "2024-11-04T09:12:44.512000+00:00",
        "modifiedAt": "2024-11-04T09:12:44.512000+00:00",
        "disableSessionTags": false,
        "targetRoleArn": "arn:aws:iam::109876543210:role/cart-data",
        "externalId": "3b7e2f0c-6a1d-4e9b-8c5f-2d4a6b8c0e1f"
    }
}
`,
	`{"associations": []}`,
	`{"associations": [], "nextToken": null}`,
	`{"associations": [{"namespace": "", "serviceAccount": "x"}, {"namespace": 1, "serviceAccount": ["y"]}, null, "a-1", {"namespace": "a", "serviceAccount": "b", "disableSessionTags": "true", "roleArn": 5}]}`,
	`{"association": null, "associations": [{"namespace": "a", "serviceAccount": "b"}]}`,
	`{"association": {"namespace": "a", "serviceAccount": null}}`,
	"associations:\n- &a {namespace: n, serviceAccount: s}\n- *a\n- {<<: *a, serviceAccount: t}\n",
	"association:\n  namespace: n\n  serviceAccount: s\n  namespace: m\n",
	"\xef\xbb\xbf{\r\n  \"association\": {\"namespace\": \"\u00e9\", \"serviceAccount\": \"\u2028\"}\r\n}",
}

// FuzzExtract reads arbitrary bytes as a file of Pod Identity association
// output. It must never panic or take long; every association and
// diagnostic sits inside the file; every association is one Detect found,
// with a namespace and a service account, at a path that exists; reading is
// deterministic.
func FuzzExtract(f *testing.F) {
	for _, s := range eksSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		checkExtract(t, data)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("took %v for %d bytes", d, len(data))
		}
	})
}

func checkExtract(t *testing.T, data []byte) {
	docs, _ := source.Decode(data)
	text := textpos.New(data)
	for _, doc := range docs {
		if !eks.Detect(doc.Value) {
			continue
		}
		list, diags := eks.Extract(fuzzFile, doc)
		list2, diags2 := eks.Extract(fuzzFile, doc)
		if describe(list, diags) != describe(list2, diags2) {
			t.Fatal("two readings of one document differ")
		}
		for _, d := range diags {
			if d.Location.File != fuzzFile || d.Message == "" || d.Level != analyzer.LevelError {
				t.Fatalf("diagnostic %+v", d)
			}
			if err := text.Check(d.Location.Line, d.Location.Column); err != nil {
				t.Fatalf("diagnostic %q: %v", d.Message, err)
			}
		}
		refs := map[string]bool{}
		for _, a := range list {
			ns, _ := a.Entry["namespace"].(string)
			sa, _ := a.Entry["serviceAccount"].(string)
			if ns == "" || sa == "" || a.Entry["key"] != ns+"/"+sa || a.Entry["ref"] != a.Ref || refs[a.Ref] || a.File != fuzzFile || a.Pos != doc.Pos {
				t.Fatalf("association %+v", *a)
			}
			refs[a.Ref] = true
			pos, exact := doc.Pos.Lookup(a.Base)
			if !exact {
				t.Fatalf("%s: base %v does not exist in the document", a.Ref, a.Base)
			}
			if err := text.Check(pos.Line, pos.Column); err != nil {
				t.Fatalf("%s: %v", a.Ref, err)
			}
		}
		if want := validItems(doc.Value); len(list) != want {
			t.Fatalf("%d associations, want %d (diagnostics %v)", len(list), want, diags)
		}
	}
}

// validItems counts the associations a document holds: the one of describe
// output, or those of list output, that name a namespace and a service
// account.
func validItems(v any) int {
	m := v.(map[string]any)
	valid := func(it any) bool {
		a, _ := it.(map[string]any)
		ns, _ := a["namespace"].(string)
		sa, _ := a["serviceAccount"].(string)
		return ns != "" && sa != ""
	}
	if a, ok := m["association"].(map[string]any); ok {
		if valid(a) {
			return 1
		}
		return 0
	}
	n := 0
	list, _ := m["associations"].([]any)
	for _, it := range list {
		if valid(it) {
			n++
		}
	}
	return n
}

func describe(list []*eks.Association, diags []analyzer.Diagnostic) string {
	s := fmt.Sprintf("%#v", diags)
	for _, a := range list {
		s += fmt.Sprintf("\n%s %#v %#v %p", a.Ref, a.Entry, a.Base, a.Pos)
	}
	return s
}
