package reader

import (
	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Collections of the inventory an Item can go to (input.<collection>).
const (
	ServiceAccounts         = "serviceAccounts"
	Namespaces              = "namespaces"
	Workloads               = "workloads"
	Roles                   = "roles"
	PodIdentityAssociations = "podIdentityAssociations"
	Clusters                = "clusters"
	Nodegroups              = "nodegroups"
	FargateProfiles         = "fargateProfiles"
	LaunchTemplates         = "launchTemplates"
	OIDCProviders           = "oidcProviders"
)

// OIDCProviderList is a fact, not a collection: the account's providers
// were listed, so one not among them does not exist.
const OIDCProviderList = "oidcProviderList"

// Item is one object a document holds, normalized for the rules.
type Item struct {
	// Collection is where the object goes; Key identifies it there (two
	// items of one collection and key are declarations of one object).
	Collection string
	Key        string
	// Kind names the object's type for counts and messages ("Deployment",
	// "Role", "Nodegroup").
	Kind  string
	Entry map[string]any // the object as rules see it; Entry["ref"] is its ref
	// Where it was read: the file, the path from the document root to the
	// object, and the document's positions.
	File string
	Base []any
	Pos  *source.Positions
	// Origin places the object's paths in the sources of a rendered
	// document; the inventory sets it from the document when it is nil.
	Origin source.Locator
	// Observed marks an object read back from a cluster (kubectl get
	// output: it carries metadata.uid or resourceVersion) rather than a
	// manifest to apply.
	Observed bool
	// Name describes the object for people: "Deployment prod/api".
	Name string
	// Namespace is the Kubernetes namespace the object lives in, when it
	// is a namespaced object ("" otherwise).
	Namespace string
	// Ignore lists the rules suppressed on the object (its
	// irsalint.io/ignore annotation), with the annotation's path.
	Ignore   map[string]bool
	IgnoreAt []any
	// IgnoreReason is the annotation's reason ("" when none is given).
	IgnoreReason string
}

// Result is what a Reader makes of one document.
type Result struct {
	Items []Item
	// Documents counts what was looked at (1, or the items of a List);
	// Ignored those of kinds irsalint does not read.
	Documents, Ignored int
	Diagnostics        []analyzer.Diagnostic
	// Facts names the fact sources the document supplies, such as
	// "podIdentityAssociations" even when it lists none.
	Facts []string
	// Meta marks a document about the scan rather than an input (an audit
	// snapshot's manifest): a file of such documents is not counted, so a
	// snapshot split in shards counts what it does whole.
	Meta bool
}

// Reader reads one input format.
type Reader interface {
	// Detect tells whether a decoded document is of this format.
	Detect(v any) bool
	// Read reads a document Detect accepted.
	Read(file string, doc source.Doc) Result
}
