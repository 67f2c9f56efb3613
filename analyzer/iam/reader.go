package iam

import (
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Reader reads IAM roles and trust policies: a bare trust policy, get-role,
// list-roles and get-account-authorization-details output.
type Reader struct{}

// Detect tells an IAM input irsalint reads.
func (Reader) Detect(v any) bool { return Detect(v) }

// Read reads the roles (or the bare trust policy) of the document.
func (Reader) Read(file string, doc source.Doc) reader.Result {
	ex := Extract(file, doc)
	res := reader.Result{Documents: 1, Diagnostics: ex.Diagnostics}
	for _, r := range ex.Roles {
		kind := "Role"
		if r.Entry["arn"] == nil {
			kind = "TrustPolicy"
		}
		res.Items = append(res.Items, reader.Item{
			Collection: reader.Roles, Key: r.Key, Kind: kind, Entry: r.Entry,
			File: r.File, Base: r.Base, Pos: r.Pos, Name: r.Name,
		})
	}
	return res
}
