package eks

import (
	"testing"

	"github.com/irsalint/irsalint/analyzer/source"
)

func doc(t *testing.T, text string) source.Doc {
	t.Helper()
	docs, err := source.Decode([]byte(text))
	if err != nil || len(docs) != 1 {
		t.Fatalf("decode: %v", err)
	}
	return docs[0]
}

const list = `{
    "associations": [
        {
            "clusterName": "eks-lexing",
            "namespace": "payments",
            "serviceAccount": "api",
            "associationArn": "arn:aws:eks:us-west-2:743263909644:podidentityassociation/eks-lexing/a-abcdefghijklmnop1",
            "associationId": "a-abcdefghijklmnop1"
        },
        {
            "clusterName": "eks-lexing",
            "namespace": "",
            "serviceAccount": "broken"
        }
    ]
}`

const describe = `{
    "association": {
        "clusterName": "eks-lexing",
        "namespace": "payments",
        "serviceAccount": "api",
        "roleArn": "arn:aws:iam::743263909644:role/payments-api",
        "disableSessionTags": true
    }
}`

func TestDetect(t *testing.T) {
	for text, want := range map[string]bool{
		list:                   true,
		describe:               true,
		`{"associations": []}`: true,
		`{"associations": [], "nextToken": null}`:         true,
		`{"associations": [1, 2], "other": 1, "x": 2}`:    false,
		`{"association": {"name": "not an association"}}`: false,
		`{"Statement": []}`:                               false,
		"[1]":                                             false,
	} {
		if got := Detect(doc(t, text).Value); got != want {
			t.Errorf("Detect(%s) = %v, want %v", text, got, want)
		}
	}
}

func TestExtract(t *testing.T) {
	as, diags := Extract("assoc.json", doc(t, list))
	if len(as) != 1 || len(diags) != 1 || diags[0].Location.Line != 10 {
		t.Fatalf("associations %d, diagnostics %v", len(as), diags)
	}
	e := as[0].Entry
	if e["key"] != "payments/api" || e["roleArn"] != nil || e["clusterName"] != "eks-lexing" || as[0].Ref != "assoc.json#0.associations[0]" {
		t.Errorf("entry %v ref %s", e, as[0].Ref)
	}
	as, _ = Extract("one.json", doc(t, describe))
	if len(as) != 1 || as[0].Entry["roleArn"] != "arn:aws:iam::743263909644:role/payments-api" || as[0].Entry["disableSessionTags"] != true {
		t.Errorf("describe output: %v", as)
	}
}

func TestExtractListBesideNullAssociation(t *testing.T) {
	// Detect took this for list output, and Extract read only the null.
	d := doc(t, `{"association": null, "associations": [{"namespace": "a", "serviceAccount": "b"}]}`)
	if !Detect(d.Value) {
		t.Fatal("not detected")
	}
	as, diags := Extract("x.json", d)
	if len(as) != 1 || len(diags) != 0 || as[0].Entry["key"] != "a/b" {
		t.Errorf("associations %v, diagnostics %v", as, diags)
	}
}
