package eks

import (
	"fmt"

	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// AssociationReader reads Pod Identity associations from
// `aws eks list-pod-identity-associations` and
// `describe-pod-identity-association` output.
type AssociationReader struct{}

// Detect tells association output.
func (AssociationReader) Detect(v any) bool { return Detect(v) }

// Read reads the associations of the document. The document tells that
// associations are known, even when it lists none.
func (AssociationReader) Read(file string, doc source.Doc) reader.Result {
	list, diags := Extract(file, doc)
	res := reader.Result{Documents: 1, Diagnostics: diags, Facts: []string{reader.PodIdentityAssociations}}
	for _, a := range list {
		res.Items = append(res.Items, reader.Item{
			Collection: reader.PodIdentityAssociations, Key: a.Entry["key"].(string), Kind: "PodIdentityAssociation",
			Entry: a.Entry, File: a.File, Base: a.Base, Pos: a.Pos,
			Name: fmt.Sprintf("Pod Identity association %s", a.Entry["key"]),
		})
	}
	return res
}
