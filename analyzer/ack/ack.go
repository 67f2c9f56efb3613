// Package ack reads IAM and EKS objects written as Kubernetes resources:
// the AWS Controllers for Kubernetes (ACK) iam.services.k8s.aws Role and
// eks.services.k8s.aws PodIdentityAssociation, and the Crossplane AWS
// providers' Role (iam.aws.upbound.io, its namespaced iam.aws.m.upbound.io,
// and the older iam.aws.crossplane.io).
// Each is turned into the document the AWS CLI prints for the same object
// and read by package iam or eks, so every trust and binding rule applies
// to it; a policy held in a YAML string is placed at its lines in the file.
package ack

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/eks"
	"github.com/irsalint/irsalint/analyzer/iam"
	"github.com/irsalint/irsalint/analyzer/internal/synth"
	"github.com/irsalint/irsalint/analyzer/k8s"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// UnknownAccount is written for the account of a role whose account the
// resource does not tell: a placeholder, so that no rule takes it for
// another account.
const UnknownAccount = "${ACCOUNT_ID}"

// ExternalNameAnnotation names the cloud resource of a Crossplane managed
// resource when it differs from metadata.name.
const ExternalNameAnnotation = "crossplane.io/external-name"

// Reader reads ACK and Crossplane roles and ACK Pod Identity associations.
type Reader struct{}

type form int

const (
	notOurs form = iota
	ackRole
	ackAssociation
	upboundRole
	crossplaneRole
)

func formOf(v any) form {
	m, ok := v.(map[string]any)
	if !ok {
		return notOurs
	}
	api, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	group, _, _ := strings.Cut(api, "/")
	switch {
	case group == "iam.services.k8s.aws" && kind == "Role":
		return ackRole
	case group == "eks.services.k8s.aws" && kind == "PodIdentityAssociation":
		return ackAssociation
	case (group == "iam.aws.upbound.io" || group == "iam.aws.m.upbound.io") && kind == "Role":
		// iam.aws.m.upbound.io: the namespaced resources of Crossplane v2.
		return upboundRole
	case group == "iam.aws.crossplane.io" && kind == "Role":
		return crossplaneRole
	}
	return notOurs
}

// Detect tells an ACK or Crossplane resource this package reads, or a List
// of them only (what kubectl get prints).
func (Reader) Detect(v any) bool { return formOf(v) != notOurs || len(listItems(v)) > 0 }

// listItems returns the items of a List whose every item is ours.
func listItems(v any) []any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	kind, _ := m["kind"].(string)
	items, _ := m["items"].([]any)
	if !strings.HasSuffix(kind, "List") {
		return nil
	}
	for _, it := range items {
		if formOf(it) == notOurs {
			return nil
		}
	}
	return items
}

// Read reads one resource, or each of a List.
func (Reader) Read(file string, doc source.Doc) reader.Result {
	if formOf(doc.Value) != notOurs {
		return readOne(file, doc, nil, doc.Value.(map[string]any))
	}
	res := reader.Result{Documents: len(listItems(doc.Value))}
	for i, it := range listItems(doc.Value) {
		base := []any{"items", i}
		one := readOne(file, doc, base, it.(map[string]any))
		for j := range one.Items {
			// Each item's built document is read as the List's: refs
			// name the item.
			one.Items[j].Entry["ref"] = fmt.Sprintf("%s#%d.%s", file, doc.Index, source.FormatPath(base))
		}
		synth.Merge(&res, one)
	}
	return res
}

func readOne(file string, doc source.Doc, base []any, m map[string]any) reader.Result {
	x := &resource{file: file, doc: doc, base: base, m: m, res: reader.Result{Documents: 1}}
	meta, _ := m["metadata"].(map[string]any)
	x.name, _ = meta["name"].(string)
	x.namespace, _ = meta["namespace"].(string)
	switch formOf(m) {
	case ackRole:
		x.kind = "ACK Role"
		spec := x.spec([]any{"spec"})
		x.role(roleFields{
			name: []any{"spec", "name"}, path: []any{"spec", "path"}, doc: []any{"spec", "assumeRolePolicyDocument"},
			policies: true, spec: spec, arn: []any{"status", "ackResourceMetadata", "arn"},
		})
	case upboundRole, crossplaneRole:
		x.kind = "Crossplane Role"
		fp := []any{"spec", "forProvider"}
		docKey := "assumeRolePolicy"
		if formOf(m) == crossplaneRole {
			docKey = "assumeRolePolicyDocument"
		}
		x.role(roleFields{
			name: []any{"metadata", "annotations", ExternalNameAnnotation}, path: synth.Join(fp, "path"),
			doc: synth.Join(fp, docKey), spec: x.spec(fp), arn: []any{"status", "atProvider", "arn"},
		})
	case ackAssociation:
		x.kind = "ACK PodIdentityAssociation"
		x.association()
	}
	return x.res
}

type resource struct {
	file            string
	doc             source.Doc
	base            []any // the resource's path in the document
	m               map[string]any
	kind            string
	name, namespace string
	res             reader.Result
}

func (x *resource) describe() string {
	if x.namespace != "" {
		return fmt.Sprintf("%s %s/%s", x.kind, x.namespace, x.name)
	}
	return fmt.Sprintf("%s %s", x.kind, x.name)
}

// get walks path from the resource's root.
func (x *resource) get(path []any) any {
	var v any = x.m
	for _, el := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[el.(string)]
	}
	return v
}

func (x *resource) spec(path []any) map[string]any {
	s, _ := x.get(path).(map[string]any)
	return s
}

func (x *resource) at(path []any) analyzer.Location {
	return x.doc.Locate(x.file, synth.Join(x.base, path...))
}

func (x *resource) diag(level analyzer.DiagnosticLevel, loc analyzer.Location, format string, args ...any) {
	x.res.Diagnostics = append(x.res.Diagnostics, analyzer.Diagnostic{Level: level, Location: loc, Message: fmt.Sprintf(format, args...)})
}

// roleFields are where a form keeps a role's parts.
type roleFields struct {
	name, path, doc, arn []any
	spec                 map[string]any
	policies             bool
}

var providerARN = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):oidc-provider/`)

func (x *resource) role(f roleFields) {
	name, _ := x.get(f.name).(string)
	namePath := f.name
	if name == "" && x.kind == "Crossplane Role" {
		name, namePath = x.name, []any{"metadata", "name"}
	}
	if name == "" {
		x.diag(analyzer.LevelError, x.at(f.name), "%s has no role name (%s)", x.describe(), source.FormatPath(f.name))
		return
	}
	text, ok := x.get(f.doc).(string)
	if !ok {
		if x.get(f.doc) == nil {
			x.diag(analyzer.LevelError, x.at(f.doc[:len(f.doc)-1]), "%s has no %s: its trust is not read", x.describe(), source.FormatPath(f.doc))
		} else {
			x.diag(analyzer.LevelError, x.at(f.doc), "%s: %s is not a string holding a JSON policy", x.describe(), source.FormatPath(f.doc))
		}
		return
	}
	place := synth.StringPlacer(x.file, x.doc, synth.Join(x.base, f.doc...), text)
	docs, err := source.Decode([]byte(text))
	if err == nil && len(docs) != 1 {
		err = fmt.Errorf("it holds %d documents, want one policy", len(docs))
	}
	if err == nil {
		if _, ok := docs[0].Value.(map[string]any); !ok {
			err = fmt.Errorf("it is not a JSON object")
		}
	}
	if err != nil {
		loc := x.at(f.doc)
		if se, ok := err.(*source.Error); ok && se.Pos.Line > 0 {
			loc = place(se.Pos)
			if loc.Line == 0 {
				loc = x.at(f.doc)
			}
			err = fmt.Errorf("%s", se.Msg)
		}
		x.diag(analyzer.LevelError, loc, "%s: %s does not parse as a policy: %v", x.describe(), source.FormatPath(f.doc), err)
		return
	}
	rolePath, _ := x.get(f.path).(string)
	if rolePath == "" {
		rolePath = "/"
	}
	if !strings.HasPrefix(rolePath, "/") {
		rolePath = "/" + rolePath
	}
	if !strings.HasSuffix(rolePath, "/") {
		rolePath += "/"
	}
	partition, account := "aws", ""
	if arn, ok := x.get(f.arn).(string); ok {
		// Read back from the cluster: the controller wrote the role's ARN.
		if p := strings.SplitN(arn, ":", 6); len(p) == 6 && p[0] == "arn" && p[2] == "iam" && len(p[4]) == 12 {
			partition, account = p[1], p[4]
		}
	}
	if account == "" {
		// IAM accepts only a provider of the role's own account as a web
		// identity principal.
		for _, fed := range federatedOf(docs[0].Value) {
			if mm := providerARN.FindStringSubmatch(fed); mm != nil {
				partition, account = mm[1], mm[2]
				break
			}
		}
	}
	known := account != ""
	if !known {
		account = UnknownAccount
	}
	arn := fmt.Sprintf("arn:%s:iam::%s:role%s%s", partition, account, rolePath, name)
	r := map[string]any{"Arn": arn, "RoleName": name, "Path": rolePath, "AssumeRolePolicyDocument": text}
	if tags := x.tags(f.spec["tags"]); len(tags) > 0 {
		r["Tags"] = tags
	}
	if f.policies {
		var list []any
		ps, _ := f.spec["policies"].([]any)
		for _, p := range ps {
			if s, ok := p.(string); ok {
				list = append(list, map[string]any{"PolicyArn": s})
			}
		}
		if list != nil {
			r["AttachedManagedPolicies"] = list
		}
		// spec.inlinePolicies maps a name to a document: the names are
		// what get-account-authorization-details lists.
		if ip, ok := f.spec["inlinePolicies"].(map[string]any); ok {
			names := make([]string, 0, len(ip))
			for k := range ip {
				names = append(names, k)
			}
			sort.Strings(names)
			var inl []any
			for _, k := range names {
				inl = append(inl, map[string]any{"PolicyName": k})
			}
			r["RolePolicyList"] = inl
		}
	}
	org := synth.NewOrigin(x.at(nil))
	org.Set([]any{"Role"}, x.at([]any{"metadata", "name"}))
	org.Set([]any{"Role", "RoleName"}, x.at(namePath))
	org.Set([]any{"Role", "Arn"}, x.at(namePath))
	if x.get(f.path) != nil {
		org.Set([]any{"Role", "Path"}, x.at(f.path))
	}
	org.Set([]any{"Role", "AssumeRolePolicyDocument"}, x.at(f.doc))
	org.Mount([]any{"Role", "AssumeRolePolicyDocument"}, synth.JSONPlacer(text, place))
	ignoreAt := []any{"metadata", "annotations", k8s.IgnoreAnnotation}
	org.Set(synth.Join([]any{"Role"}, ignoreAt...), x.at(ignoreAt))
	built, err := synth.Doc(x.doc.Index, map[string]any{"Role": r}, org)
	if err != nil {
		x.diag(analyzer.LevelError, x.at(nil), "%s: %v", x.describe(), err)
		return
	}
	got := synth.Read(iam.Reader{}, x.file, built)
	for i := range got.Items {
		got.Items[i].Name = fmt.Sprintf("%s (role %s)", x.describe(), arn)
		ann, _ := x.get([]any{"metadata", "annotations"}).(map[string]any)
		got.Items[i].Ignore, got.Items[i].IgnoreAt, got.Items[i].IgnoreReason = k8s.IgnoreSet(map[string]any{"annotations": ann})
	}
	synth.Merge(&x.res, got)
	if !known {
		x.diag(analyzer.LevelNotice, x.at(namePath), "%s: its account is not in the resource (no literal OIDC provider ARN in its trust, no ARN in its status), so its ARN is written %s: a ServiceAccount annotated with the role's real ARN is not joined to it", x.describe(), arn)
	}
}

// tags reads ACK's and the community provider's [{key, value}] and the
// Upbound provider's {key: value}.
func (x *resource) tags(v any) []any {
	var out []any
	switch t := v.(type) {
	case []any:
		for _, it := range t {
			mm, _ := it.(map[string]any)
			k, _ := mm["key"].(string)
			val, _ := mm["value"].(string)
			if k != "" {
				out = append(out, map[string]any{"Key": k, "Value": val})
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			val, _ := t[k].(string)
			out = append(out, map[string]any{"Key": k, "Value": val})
		}
	}
	return out
}

// association reads an ACK PodIdentityAssociation as
// describe-pod-identity-association prints it.
func (x *resource) association() {
	sp := []any{"spec"}
	spec := x.spec(sp)
	a := map[string]any{}
	org := synth.NewOrigin(x.at(nil))
	org.Set([]any{"association"}, x.at([]any{"metadata", "name"}))
	for _, f := range [][2]string{{"clusterName", "clusterName"}, {"namespace", "namespace"}, {"serviceAccount", "serviceAccount"},
		{"roleARN", "roleArn"}, {"targetRoleARN", "targetRoleArn"}} {
		if s, ok := spec[f[0]].(string); ok && s != "" {
			a[f[1]] = s
			org.Set([]any{"association", f[1]}, x.at(synth.Join(sp, f[0])))
		}
	}
	if b, ok := spec["disableSessionTags"].(bool); ok {
		a["disableSessionTags"] = b
	}
	if a["namespace"] == nil || a["serviceAccount"] == nil {
		x.diag(analyzer.LevelError, x.at(sp), "%s has no spec.namespace and spec.serviceAccount", x.describe())
		return
	}
	if a["roleArn"] == nil {
		if spec["roleRef"] != nil {
			x.diag(analyzer.LevelNotice, x.at(synth.Join(sp, "roleRef")), "%s names its role by roleRef, which irsalint does not resolve: its role is unknown", x.describe())
		} else {
			x.diag(analyzer.LevelError, x.at(sp), "%s has no spec.roleARN", x.describe())
		}
	}
	built, err := synth.Doc(x.doc.Index, map[string]any{"association": a}, org)
	if err != nil {
		x.diag(analyzer.LevelError, x.at(nil), "%s: %v", x.describe(), err)
		return
	}
	got := synth.Read(eks.AssociationReader{}, x.file, built)
	// One resource does not tell all the cluster's associations.
	got.Facts = nil
	synth.Merge(&x.res, got)
}

// federatedOf lists the Federated principals of a trust policy value.
func federatedOf(v any) []string {
	m, _ := v.(map[string]any)
	return synth.Federated(m)
}
