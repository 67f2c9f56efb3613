// Package eksctl reads an eksctl ClusterConfig (eksctl.io/v1alpha5): the
// cluster it describes, the IAM roles and ServiceAccounts eksctl creates for
// iam.serviceAccounts, and the Pod Identity associations (and their roles)
// of iam.podIdentityAssociations and addons[].podIdentityAssociations. Each
// is turned into the document the AWS CLI or kubectl prints for the same
// object and read by packages iam, k8s and eks, so every rule applies to
// it; every path is placed at the line of the config that asked for it.
//
// The trust eksctl writes for an IRSA role (create cluster and create
// iamserviceaccount) admits the cluster's OIDC provider with
// sts:AssumeRoleWithWebIdentity when ISSUER:sub equals
// system:serviceaccount:NS:NAME and ISSUER:aud equals sts.amazonaws.com;
// the role it creates for a Pod Identity association trusts
// pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession. The issuer
// is known only once the cluster exists and the account is not in the
// config, so they are written as placeholders: the trust rules give
// notices, never guesses, while the ServiceAccount's annotation holds the
// same ARN string as the role, so the two join.
package eksctl

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/irsalint/irsalint/analyzer"
	"github.com/irsalint/irsalint/analyzer/ec2"
	"github.com/irsalint/irsalint/analyzer/eks"
	"github.com/irsalint/irsalint/analyzer/iam"
	"github.com/irsalint/irsalint/analyzer/internal/synth"
	"github.com/irsalint/irsalint/analyzer/k8s"
	"github.com/irsalint/irsalint/analyzer/reader"
	"github.com/irsalint/irsalint/analyzer/source"
)

// Placeholders for what the config does not hold.
const (
	UnknownAccount = "${ACCOUNT_ID}"
	UnknownIssuer  = "${OIDC_ISSUER}"
	// UnknownSuffix stands for the random part of a name eksctl generates.
	UnknownSuffix = "${RANDOM_SUFFIX}"
)

// Reader reads ClusterConfigs.
type Reader struct{}

// Detect tells an eksctl ClusterConfig.
func (Reader) Detect(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	api, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	return strings.HasPrefix(api, "eksctl.io/") && kind == "ClusterConfig"
}

type config struct {
	file      string
	doc       source.Doc
	m         map[string]any
	cluster   string
	partition string
	account   string
	res       reader.Result

	roles, sas, assocs       []any
	roleOrg, saOrg, assocOrg *synth.Origin
	noticed                  bool
}

// Read reads one ClusterConfig.
func (Reader) Read(file string, doc source.Doc) reader.Result {
	c := &config{file: file, doc: doc, m: doc.Value.(map[string]any), res: reader.Result{Documents: 1}, partition: "aws"}
	root := c.at(nil)
	c.roleOrg, c.saOrg, c.assocOrg = synth.NewOrigin(root), synth.NewOrigin(root), synth.NewOrigin(root)
	meta, _ := c.m["metadata"].(map[string]any)
	c.cluster, _ = meta["name"].(string)
	if c.cluster == "" {
		c.diag(analyzer.LevelError, c.at([]any{"metadata"}), "eksctl ClusterConfig without metadata.name: it is not read")
		return c.res
	}
	c.inferAccount()
	c.readCluster(meta)
	iamCfg, _ := c.m["iam"].(map[string]any)
	sas, _ := iamCfg["serviceAccounts"].([]any)
	for i, it := range sas {
		c.serviceAccount(it, []any{"iam", "serviceAccounts", i})
	}
	if len(sas) > 0 && iamCfg["withOIDC"] != true {
		at := []any{"iam"}
		if has(iamCfg, "withOIDC") {
			at = []any{"iam", "withOIDC"}
		}
		c.diag(analyzer.LevelNotice, c.at(at), "eksctl ClusterConfig %s: iam.withOIDC is not true, so eksctl associates no OIDC provider with the cluster: the roles of iam.serviceAccounts can be assumed only once one is associated (eksctl utils associate-iam-oidc-provider)", c.cluster)
	}
	_, hasAssocs := iamCfg["podIdentityAssociations"]
	pias, _ := iamCfg["podIdentityAssociations"].([]any)
	for i, it := range pias {
		c.association(it, []any{"iam", "podIdentityAssociations", i}, "")
	}
	addons, _ := c.m["addons"].([]any)
	for i, a := range addons {
		am, _ := a.(map[string]any)
		name, _ := am["name"].(string)
		list, _ := am["podIdentityAssociations"].([]any)
		for j, it := range list {
			c.association(it, []any{"addons", i, "podIdentityAssociations", j}, name)
		}
		if list != nil {
			hasAssocs = true
		}
	}
	c.flush(hasAssocs)
	for _, kind := range []string{"nodeGroups", "managedNodeGroups"} {
		list, _ := c.m[kind].([]any)
		for i, ng := range list {
			c.nodeGroup(ng, []any{kind, i})
		}
	}
	return c.res
}

func (c *config) at(path []any) analyzer.Location { return c.doc.Locate(c.file, path) }

func (c *config) diag(level analyzer.DiagnosticLevel, loc analyzer.Location, format string, args ...any) {
	c.res.Diagnostics = append(c.res.Diagnostics, analyzer.Diagnostic{Level: level, Location: loc, Message: fmt.Sprintf(format, args...)})
}

func get(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func has(v any, path ...any) bool {
	for _, el := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[el.(string)]; !ok {
			return false
		}
	}
	return true
}

var iamARN = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):`)

// inferAccount takes the account of the config's IAM ARNs (a customer
// managed policy, a permissions boundary, a role eksctl is told to use)
// when they all name one: eksctl creates its roles in the cluster's
// account, and a role can attach only its own account's policies.
func (c *config) inferAccount() {
	found := map[string]string{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if m := iamARN.FindStringSubmatch(x); m != nil {
				found[m[2]] = m[1]
			}
		}
	}
	walk(c.m)
	if len(found) == 1 {
		for a, p := range found {
			c.account, c.partition = a, p
		}
	}
}

func (c *config) accountText() string {
	if c.account != "" {
		return c.account
	}
	return UnknownAccount
}

func (c *config) readCluster(meta map[string]any) {
	region, _ := meta["region"].(string)
	cl := map[string]any{"name": c.cluster}
	org := synth.NewOrigin(c.at([]any{"metadata", "name"}))
	org.Set([]any{"cluster"}, c.at([]any{"metadata", "name"}))
	switch v := meta["version"].(type) {
	case string:
		cl["version"] = v
		org.Set([]any{"cluster", "version"}, c.at([]any{"metadata", "version"}))
	case nil:
	default:
		// 1.30 unquoted is the number 1.3: the minor version is lost.
		c.diag(analyzer.LevelNotice, c.at([]any{"metadata", "version"}), "eksctl ClusterConfig %s: metadata.version is the number %v, not a string: quote it (\"1.30\"); the cluster's Kubernetes version is not read", c.cluster, v)
	}
	if region != "" {
		cl["arn"] = fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", c.partition, region, c.accountText(), c.cluster)
	}
	built, err := synth.Doc(c.doc.Index, map[string]any{"cluster": cl}, org)
	if err != nil {
		c.diag(analyzer.LevelError, c.at(nil), "eksctl ClusterConfig %s: %v", c.cluster, err)
		return
	}
	synth.Merge(&c.res, synth.Read(eks.ClusterReader{}, c.file, built))
}

func (c *config) roleARN(name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", c.partition, c.accountText(), name)
}

// addRole queues a role for the list-roles document.
func (c *config) addRole(arn, name string, trust map[string]any, entry []any, places map[string][]any, policies []any, tags map[string]any) {
	i := len(c.roles)
	r := map[string]any{"Arn": arn, "RoleName": name, "Path": "/", "AssumeRolePolicyDocument": trust}
	var attached []any
	for _, p := range policies {
		if s, ok := p.(string); ok {
			attached = append(attached, map[string]any{"PolicyArn": s})
		}
	}
	if attached != nil {
		r["AttachedManagedPolicies"] = attached
	}
	if len(tags) > 0 {
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var list []any
		for _, k := range keys {
			list = append(list, map[string]any{"Key": k, "Value": fmt.Sprint(tags[k])})
		}
		r["Tags"] = list
	}
	c.roles = append(c.roles, r)
	c.roleOrg.Set([]any{"Roles", i}, c.at(entry))
	for k, p := range places {
		c.roleOrg.Set(append([]any{"Roles", i}, splitPath(k)...), c.at(p))
	}
}

// splitPath reads the keys of places: elements joined by "\x00".
func splitPath(k string) []any {
	var out []any
	for _, s := range strings.Split(k, "\x00") {
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, n) // a statement's index
			continue
		}
		out = append(out, s)
	}
	return out
}

func key(path ...string) string { return strings.Join(path, "\x00") }

// serviceAccount reads one iam.serviceAccounts entry.
func (c *config) serviceAccount(v any, base []any) {
	e, ok := v.(map[string]any)
	if !ok {
		c.diag(analyzer.LevelError, c.at(base), "iam.serviceAccounts entry is not a mapping")
		return
	}
	name, _ := get(e, "metadata", "name").(string)
	if name == "" {
		c.diag(analyzer.LevelError, c.at(base), "iam.serviceAccounts entry without metadata.name: it is not read")
		return
	}
	ns, _ := get(e, "metadata", "namespace").(string)
	nsPath := synth.Join(base, "metadata", "namespace")
	if ns == "" {
		ns, nsPath = "default", synth.Join(base, "metadata", "name")
	}
	namePath := synth.Join(base, "metadata", "name")
	roleName, _ := e["roleName"].(string)
	rolePath := synth.Join(base, "roleName")
	if roleName == "" {
		// eksctl names the CloudFormation stack's role; its last part is
		// random.
		roleName = fmt.Sprintf("eksctl-%s-addon-iamserviceaccount-%s-%s-Role1-%s", c.cluster, ns, name, UnknownSuffix)
		rolePath = namePath
	}
	arn := c.roleARN(roleName)
	issuer := UnknownIssuer
	trust := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", c.partition, c.accountText(), issuer)},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{"StringEquals": map[string]any{
				issuer + ":sub": fmt.Sprintf("system:serviceaccount:%s:%s", ns, name),
				issuer + ":aud": "sts.amazonaws.com",
			}},
		}},
	}
	cond := []string{"AssumeRolePolicyDocument", "Statement", "0", "Condition", "StringEquals"}
	places := map[string][]any{
		key("RoleName"): rolePath, key("Arn"): rolePath,
		key(append(cond, issuer+":sub")...): nsPath,
	}
	tags, _ := e["tags"].(map[string]any)
	policies, _ := e["attachPolicyARNs"].([]any)
	c.addRole(arn, roleName, trust, base, places, policies, tags)
	if e["roleOnly"] == true {
		return
	}
	ann := map[string]any{}
	if a, ok := get(e, "metadata", "annotations").(map[string]any); ok {
		for k, v := range a {
			ann[k] = v
		}
	}
	ann[k8s.RoleARNAnnotation] = arn
	metaOut := map[string]any{"name": name, "namespace": ns, "annotations": ann}
	if l, ok := get(e, "metadata", "labels").(map[string]any); ok {
		metaOut["labels"] = l
	}
	i := len(c.sas)
	c.sas = append(c.sas, map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metaOut})
	at := []any{"items", i}
	c.saOrg.Set(at, c.at(base))
	c.saOrg.Set(synth.Join(at, "metadata"), c.at(synth.Join(base, "metadata")))
	c.saOrg.Set(synth.Join(at, "metadata", "name"), c.at(namePath))
	c.saOrg.Set(synth.Join(at, "metadata", "namespace"), c.at(nsPath))
	c.saOrg.Set(synth.Join(at, "metadata", "annotations", k8s.RoleARNAnnotation), c.at(rolePath))
	if has(e, "metadata", "annotations") {
		for k := range ann {
			if k != k8s.RoleARNAnnotation {
				c.saOrg.Set(synth.Join(at, "metadata", "annotations", k), c.at(synth.Join(base, "metadata", "annotations", k)))
			}
		}
	}
}

// association reads one podIdentityAssociations entry; addon names the
// addon it belongs to ("" for iam.podIdentityAssociations).
func (c *config) association(v any, base []any, addon string) {
	e, ok := v.(map[string]any)
	if !ok {
		c.diag(analyzer.LevelError, c.at(base), "podIdentityAssociations entry is not a mapping")
		return
	}
	ns, _ := e["namespace"].(string)
	sa, _ := e["serviceAccountName"].(string)
	if ns == "" || sa == "" {
		if addon != "" && sa != "" {
			c.diag(analyzer.LevelNotice, c.at(base), "addon %s: a Pod Identity association without namespace goes to the namespace the addon is installed in, which the config does not tell: it is not read", addon)
			return
		}
		c.diag(analyzer.LevelError, c.at(base), "Pod Identity association without namespace and serviceAccountName: it is not read")
		return
	}
	roleARN, _ := e["roleARN"].(string)
	rolePath := synth.Join(base, "roleARN")
	if roleARN == "" {
		// eksctl creates the role.
		roleName, _ := e["roleName"].(string)
		rolePath = synth.Join(base, "roleName")
		if roleName == "" {
			roleName = fmt.Sprintf("eksctl-%s-podidentityrole-%s-%s-Role1-%s", c.cluster, ns, sa, UnknownSuffix)
			rolePath = base
		}
		roleARN = c.roleARN(roleName)
		trust := map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "pods.eks.amazonaws.com"},
				"Action":    []any{"sts:AssumeRole", "sts:TagSession"},
			}},
		}
		policies, _ := e["permissionPolicyARNs"].([]any)
		tags, _ := e["tags"].(map[string]any)
		c.addRole(roleARN, roleName, trust, base, map[string][]any{key("RoleName"): rolePath, key("Arn"): rolePath}, policies, tags)
	}
	i := len(c.assocs)
	c.assocs = append(c.assocs, map[string]any{"clusterName": c.cluster, "namespace": ns, "serviceAccount": sa, "roleArn": roleARN})
	at := []any{"associations", i}
	c.assocOrg.Set(at, c.at(base))
	c.assocOrg.Set(synth.Join(at, "namespace"), c.at(synth.Join(base, "namespace")))
	c.assocOrg.Set(synth.Join(at, "serviceAccount"), c.at(synth.Join(base, "serviceAccountName")))
	c.assocOrg.Set(synth.Join(at, "roleArn"), c.at(rolePath))
	if e["createServiceAccount"] == true {
		j := len(c.sas)
		c.sas = append(c.sas, map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": sa, "namespace": ns}})
		c.saOrg.Set([]any{"items", j}, c.at(base))
		c.saOrg.Set([]any{"items", j, "metadata", "name"}, c.at(synth.Join(base, "serviceAccountName")))
		c.saOrg.Set([]any{"items", j, "metadata", "namespace"}, c.at(synth.Join(base, "namespace")))
	}
}

// flush reads the built documents.
func (c *config) flush(assocFacts bool) {
	if len(c.roles) > 0 {
		built, err := synth.Doc(c.doc.Index, map[string]any{"Roles": c.roles}, c.roleOrg)
		if err == nil {
			got := synth.Read(iam.Reader{}, c.file, built)
			got.Diagnostics = c.trustNotices(got.Diagnostics)
			synth.Merge(&c.res, got)
		}
	}
	if len(c.sas) > 0 {
		built, err := synth.Doc(c.doc.Index, map[string]any{"apiVersion": "v1", "kind": "List", "items": c.sas}, c.saOrg)
		if err == nil {
			got := synth.Read(k8s.Reader{}, c.file, built)
			got.Diagnostics = c.trustNotices(got.Diagnostics)
			synth.Merge(&c.res, got)
		}
	}
	if len(c.assocs) > 0 || assocFacts {
		built, err := synth.Doc(c.doc.Index, map[string]any{"associations": append([]any{}, c.assocs...)}, c.assocOrg)
		if err == nil {
			got := synth.Read(eks.AssociationReader{}, c.file, built)
			if !assocFacts {
				got.Facts = nil
			}
			synth.Merge(&c.res, got)
		}
	}
}

// trustNotices replaces the notices about the placeholders of what eksctl
// generates (which advise rendering the file) with one, once, that says
// what is not known.
func (c *config) trustNotices(diags []analyzer.Diagnostic) []analyzer.Diagnostic {
	var out []analyzer.Diagnostic
	for _, d := range diags {
		if d.Level == analyzer.LevelNotice && (strings.Contains(d.Message, "placeholder") || strings.Contains(d.Message, "unrendered")) {
			continue
		}
		out = append(out, d)
	}
	if len(out) == len(diags) || c.noticed {
		return out
	}
	c.noticed = true
	acct := ""
	if c.account == "" {
		acct = fmt.Sprintf(" Their account is not in the config either (no IAM ARN of it), so their ARNs are written with %s: the ServiceAccounts eksctl creates join them, a ServiceAccount elsewhere annotated with a real ARN does not.", UnknownAccount)
	}
	c.diag(analyzer.LevelNotice, c.at([]any{"iam"}), "eksctl ClusterConfig %s: the trust eksctl writes for its IRSA roles names the cluster's OIDC issuer, known only once the cluster exists, so the trust rules do not judge it; lint the roles as aws iam get-role prints them once created.%s", c.cluster, acct)
	return out
}

// nodeGroup reads a node group and the launch template eksctl writes for
// it, whose metadata options decide whether pods reach IMDS: tokens
// required when disableIMDSv1 or disablePodIMDS is set, and a hop limit
// of 1 with disablePodIMDS, else 2. An unset disableIMDSv1 is taken as
// eksctl's default since May 2023, when it began to enforce IMDSv2 (IMDSv1
// disabled). A node group that names a
// launch template of its own uses that one, which is not in the config.
func (c *config) nodeGroup(v any, base []any) {
	e, ok := v.(map[string]any)
	if !ok {
		c.diag(analyzer.LevelError, c.at(base), "%s entry is not a mapping", base[0])
		return
	}
	name, _ := e["name"].(string)
	if name == "" {
		c.diag(analyzer.LevelError, c.at(base), "%s entry without a name: it is not read", base[0])
		return
	}
	ref := fmt.Sprintf("%s#%d.%s", c.file, c.doc.Index, source.FormatPath(base))
	ltID := fmt.Sprintf("eksctl:%s/%s", c.cluster, name)
	var lt map[string]any
	own, _ := e["launchTemplate"].(map[string]any)
	if id, _ := own["id"].(string); id != "" {
		lt = map[string]any{"id": id}
		if ver, ok := own["version"]; ok {
			lt["version"] = fmt.Sprint(ver)
		}
	} else {
		lt = map[string]any{"id": ltID, "version": "1"}
		podIMDS := e["disablePodIMDS"] == true
		tokens, hop := "required", 2
		if v1, set := e["disableIMDSv1"].(bool); set && !v1 && !podIMDS {
			tokens = "optional"
		}
		if podIMDS {
			hop = 1
		}
		mdAt := base
		switch {
		case has(e, "disablePodIMDS"):
			mdAt = synth.Join(base, "disablePodIMDS")
		case has(e, "disableIMDSv1"):
			mdAt = synth.Join(base, "disableIMDSv1")
		}
		org := synth.NewOrigin(c.at(base))
		org.Set([]any{"LaunchTemplateVersions", 0, "LaunchTemplateData", "MetadataOptions"}, c.at(mdAt))
		built, err := synth.Doc(c.doc.Index, map[string]any{"LaunchTemplateVersions": []any{map[string]any{
			"LaunchTemplateId": ltID, "LaunchTemplateName": ltID, "VersionNumber": 1, "DefaultVersion": true,
			"LaunchTemplateData": map[string]any{"MetadataOptions": map[string]any{"HttpTokens": tokens, "HttpPutResponseHopLimit": hop}},
		}}}, org)
		if err == nil {
			got := synth.Read(ec2.LaunchTemplateReader{}, c.file, built)
			for i := range got.Items {
				got.Items[i].Entry["ref"] = ref + ".launchTemplate"
				got.Items[i].Name = fmt.Sprintf("the launch template eksctl writes for node group %s", name)
			}
			synth.Merge(&c.res, got)
		}
	}
	ng := map[string]any{"nodegroupName": name, "clusterName": c.cluster, "launchTemplate": lt}
	if role, _ := get(e, "iam", "instanceRoleARN").(string); role != "" {
		ng["nodeRole"] = role
	}
	org := synth.NewOrigin(c.at(base))
	org.Set([]any{"nodegroup", "launchTemplate"}, c.at(base))
	built, err := synth.Doc(c.doc.Index, map[string]any{"nodegroup": ng}, org)
	if err != nil {
		return
	}
	got := synth.Read(eks.NodegroupReader{}, c.file, built)
	for i := range got.Items {
		got.Items[i].Entry["ref"] = ref
	}
	synth.Merge(&c.res, got)
}
