package awstest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// parseQuery reads a Query-protocol body (application/x-www-form-urlencoded).
func parseQuery(body string) (url.Values, error) { return url.ParseQuery(body) }

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// namespace is the XML namespace of a Query service's responses.
func namespace(service string) string {
	switch service {
	case "sts":
		return "https://sts.amazonaws.com/doc/2011-06-15/"
	case "ec2":
		return "http://ec2.amazonaws.com/doc/2016-11-15/"
	}
	return "https://iam.amazonaws.com/doc/2010-05-08/"
}

// members is a Query-protocol list: <Name><member>..</member></Name>. It
// always renders its wrapper, so an empty list is sent as IAM sends it.
type members[T any] struct {
	Member []T `xml:"member"`
}

// items is an EC2 list: <name><item>..</item></name>.
type items[T any] struct {
	Item []T `xml:"item"`
}

// writeQueryResult sends <ActionResponse><ActionResult>result</ActionResult>
// <ResponseMetadata/></ActionResponse>, the IAM and STS success shape.
func (q *request) writeQueryResult(result any) error {
	q.w.Header().Set("Content-Type", "text/xml")
	q.w.Header().Set("X-Amzn-Requestid", q.requestID)
	q.w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(q.w, "<"+q.action+"Response xmlns=\""+namespace(q.service)+"\">")
	enc := xml.NewEncoder(q.w)
	if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: q.action + "Result"}}); err != nil {
		return err
	}
	_, err := io.WriteString(q.w, "<ResponseMetadata><RequestId>"+q.requestID+"</RequestId></ResponseMetadata></"+q.action+"Response>")
	return err
}

// writeEC2Result sends EC2's success shape: the members of result directly
// under <ActionResponse>, after <requestId>.
func (q *request) writeEC2Result(result any) error {
	q.w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	q.w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(q.w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	return xml.NewEncoder(q.w).EncodeElement(result, xml.StartElement{
		Name: xml.Name{Local: q.action + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: namespace("ec2")}},
	})
}

// iamEncode percent-encodes a policy document as IAM returns it: every byte
// outside RFC 3986's unreserved set becomes %XX, so a space is %20 and "+"
// is %2B, and url.PathUnescape (not QueryUnescape) restores the text.
func iamEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// document renders a policy document for IAM: URL-encoded unless Plain.
func (q *request) document(doc string) string {
	q.s.mu.Lock()
	plain := q.s.plain
	q.s.mu.Unlock()
	if plain {
		return doc
	}
	return iamEncode(doc)
}

// ---- STS ----

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

func (q *request) sts() error {
	switch q.action {
	case "GetCallerIdentity":
		userID := "AIDATEST" + q.account.ID
		if sess := q.session(); sess != nil {
			userID = sess.userID
		}
		return q.writeQueryResult(struct {
			UserID  string `xml:"UserId"`
			Account string `xml:"Account"`
			Arn     string `xml:"Arn"`
		}{userID, q.account.ID, q.principal})
	case "AssumeRole":
		return q.assumeRole()
	}
	return unknownQueryAction(q)
}

// session returns the STS session behind the request's key, if any.
func (q *request) session() *session {
	akid, _, _, _ := parseAuthorization(q.r.Header.Get("Authorization"))
	q.s.mu.Lock()
	defer q.s.mu.Unlock()
	if sess, ok := q.s.sessions[akid]; ok {
		return &sess
	}
	return nil
}

// assumeRole hands out temporary keys of the role's account. The role must
// exist in the World; its trust policy, ExternalId and DurationSeconds are
// not evaluated (the collector's tests are about what it reads, not STS).
func (q *request) assumeRole() error {
	f := q.r.Form
	roleArn, name := f.Get("RoleArn"), f.Get("RoleSessionName")
	if roleArn == "" || name == "" {
		return errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: RoleArn and RoleSessionName are required")
	}
	denied := errorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", q.principal, roleArn)
	// arn:PARTITION:iam::ACCOUNT:role/PATH/NAME
	parts := strings.SplitN(roleArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return errorf(http.StatusBadRequest, "ValidationError", "%s is invalid", roleArn)
	}
	target, ok := q.s.accounts[parts[4]]
	if !ok || parts[1] != partition(target) {
		return denied
	}
	var role *Role
	for i := range target.Roles {
		if roleArnOf(target, &target.Roles[i]) == roleArn {
			role = &target.Roles[i]
		}
	}
	if role == nil {
		return denied
	}
	q.s.mu.Lock()
	q.s.serial++
	akid := fmt.Sprintf("ASIA%s%08X", target.ID, q.s.serial)
	sess := session{
		account: target.ID,
		token:   "awstest-token-" + akid,
		arn:     arn(target, "sts", "", "assumed-role/"+role.Name+"/"+name),
		userID:  roleID(target, role) + ":" + name,
	}
	q.s.sessions[akid] = sess
	q.s.mu.Unlock()
	return q.writeQueryResult(struct {
		Credentials     stsCredentials `xml:"Credentials"`
		AssumedRoleUser struct {
			AssumedRoleID string `xml:"AssumedRoleId"`
			Arn           string `xml:"Arn"`
		} `xml:"AssumedRoleUser"`
	}{
		Credentials: stsCredentials{
			AccessKeyID:     akid,
			SecretAccessKey: "awstest-secret-" + akid,
			SessionToken:    sess.token,
			Expiration:      time.Now().UTC().Add(time.Hour).Format(time.RFC3339),
		},
		AssumedRoleUser: struct {
			AssumedRoleID string `xml:"AssumedRoleId"`
			Arn           string `xml:"Arn"`
		}{sess.userID, sess.arn},
	})
}

func unknownQueryAction(q *request) error {
	return errorf(http.StatusBadRequest, "InvalidAction", "awstest: %s action %s is not served (only what the audit collector reads is)", q.service, q.action)
}

// ---- IAM ----

func rolePath(r *Role) string {
	if r.Path == "" {
		return "/"
	}
	return r.Path
}

func roleArnOf(a *Account, r *Role) string {
	return arn(a, "iam", "", "role"+rolePath(r)+r.Name)
}

// roleID derives a stable unique ID ("AROA...") from the account and name.
func roleID(a *Account, r *Role) string {
	return "AROA" + stableID(a.ID+"/"+r.Name, 17, true)
}

// stableID is n characters derived from key (FNV-1a), upper or lower case
// alphanumerics, so that IDs are unique and the same from run to run.
func stableID(key string, n int, upper bool) string {
	alphabet := "abcdefghijklmnopqrstuvwxyz0123456789"
	if upper {
		alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	}
	var h uint64 = 14695981039346656037
	out := make([]byte, n)
	for i := range out {
		for j := 0; j < len(key); j++ {
			h ^= uint64(key[j])
			h *= 1099511628211
		}
		h ^= uint64(i)
		h *= 1099511628211
		out[i] = alphabet[h%uint64(len(alphabet))]
	}
	return string(out)
}

type iamTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func iamTags(m map[string]string) members[iamTag] {
	var l members[iamTag]
	for _, k := range sortedKeys(m) {
		l.Member = append(l.Member, iamTag{k, m[k]})
	}
	return l
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type roleDetail struct {
	Path                     string                  `xml:"Path"`
	RoleName                 string                  `xml:"RoleName"`
	RoleID                   string                  `xml:"RoleId"`
	Arn                      string                  `xml:"Arn"`
	CreateDate               string                  `xml:"CreateDate"`
	AssumeRolePolicyDocument string                  `xml:"AssumeRolePolicyDocument"`
	InstanceProfileList      members[struct{}]       `xml:"InstanceProfileList"`
	RolePolicyList           members[rolePolicy]     `xml:"RolePolicyList"`
	AttachedManagedPolicies  members[attachedPolicy] `xml:"AttachedManagedPolicies"`
	Tags                     members[iamTag]         `xml:"Tags"`
	RoleLastUsed             struct{}                `xml:"RoleLastUsed"`
}

type rolePolicy struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type attachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

func (q *request) iam() error {
	switch q.action {
	case "GetAccountAuthorizationDetails":
		return q.authorizationDetails()
	case "ListOpenIDConnectProviders":
		type entry struct {
			Arn string `xml:"Arn"`
		}
		var l members[entry]
		for i := range q.account.OIDCProviders {
			l.Member = append(l.Member, entry{oidcArn(q.account, &q.account.OIDCProviders[i])})
		}
		return q.writeQueryResult(struct {
			List members[entry] `xml:"OpenIDConnectProviderList"`
		}{l})
	case "GetOpenIDConnectProvider":
		want := q.r.Form.Get("OpenIDConnectProviderArn")
		for i := range q.account.OIDCProviders {
			p := &q.account.OIDCProviders[i]
			if oidcArn(q.account, p) != want {
				continue
			}
			return q.writeQueryResult(struct {
				URL            string          `xml:"Url"`
				ClientIDList   members[string] `xml:"ClientIDList"`
				ThumbprintList members[string] `xml:"ThumbprintList"`
				CreateDate     string          `xml:"CreateDate"`
				Tags           members[iamTag] `xml:"Tags"`
			}{
				URL:            oidcHost(p.URL),
				ClientIDList:   members[string]{p.ClientIDs},
				ThumbprintList: members[string]{p.Thumbprints},
				CreateDate:     createDate.Format(time.RFC3339),
			})
		}
		return errorf(http.StatusNotFound, "NoSuchEntity", "OpenIDConnect Provider not found for arn %s", want)
	}
	return unknownQueryAction(q)
}

// oidcHost is the provider URL as IAM stores it: without "https://".
func oidcHost(u string) string {
	return strings.TrimSuffix(strings.TrimPrefix(u, "https://"), "/")
}

func oidcArn(a *Account, p *OIDCProvider) string {
	return arn(a, "iam", "", "oidc-provider/"+oidcHost(p.URL))
}

// authorizationDetails answers GetAccountAuthorizationDetails for roles:
// Filter selects the entity types (roles are the only ones a World has),
// MaxItems and Marker page through them in the World's order.
func (q *request) authorizationDetails() error {
	f := q.r.Form
	wantRoles := true
	var filters []string
	for i := 1; ; i++ {
		v, ok := f["Filter.member."+strconv.Itoa(i)]
		if !ok {
			break
		}
		filters = append(filters, v...)
	}
	if len(filters) > 0 {
		wantRoles = false
		for _, v := range filters {
			switch v {
			case "Role":
				wantRoles = true
			case "User", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
			default:
				return errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '[%s]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, LocalManagedPolicy, Group, AWSManagedPolicy]]", v)
			}
		}
	}
	limit := 100
	if v := f.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
		limit = n
	}
	var roles []Role
	if wantRoles {
		roles = q.account.Roles
	}
	marker := f.Get("Marker")
	start, end, next, perr := q.page(marker, limit, len(roles))
	if perr != nil {
		return errorf(http.StatusBadRequest, "InvalidInput", "Invalid Marker.")
	}
	var list members[roleDetail]
	for i := start; i < end; i++ {
		r := &roles[i]
		d := roleDetail{
			Path:                     rolePath(r),
			RoleName:                 r.Name,
			RoleID:                   roleID(q.account, r),
			Arn:                      roleArnOf(q.account, r),
			CreateDate:               createDate.Format(time.RFC3339),
			AssumeRolePolicyDocument: q.document(r.TrustPolicy),
			Tags:                     iamTags(r.Tags),
		}
		for _, name := range sortedKeys(r.InlinePolicies) {
			d.RolePolicyList.Member = append(d.RolePolicyList.Member, rolePolicy{name, q.document(r.InlinePolicies[name])})
		}
		for _, a := range r.AttachedPolicies {
			d.AttachedManagedPolicies.Member = append(d.AttachedManagedPolicies.Member, attachedPolicy{a[strings.LastIndex(a, "/")+1:], a})
		}
		list.Member = append(list.Member, d)
	}
	return q.writeQueryResult(struct {
		UserDetailList  members[struct{}]   `xml:"UserDetailList"`
		GroupDetailList members[struct{}]   `xml:"GroupDetailList"`
		RoleDetailList  members[roleDetail] `xml:"RoleDetailList"`
		Policies        members[struct{}]   `xml:"Policies"`
		IsTruncated     bool                `xml:"IsTruncated"`
		Marker          string              `xml:"Marker,omitempty"`
	}{RoleDetailList: list, IsTruncated: next != "", Marker: next})
}

// ---- EC2 ----

type ltMetadata struct {
	State        string `xml:"state,omitempty"`
	HTTPTokens   string `xml:"httpTokens,omitempty"`
	HopLimit     int32  `xml:"httpPutResponseHopLimit,omitempty"`
	HTTPEndpoint string `xml:"httpEndpoint,omitempty"`
}

type ltVersion struct {
	LaunchTemplateID   string `xml:"launchTemplateId"`
	LaunchTemplateName string `xml:"launchTemplateName"`
	VersionNumber      int64  `xml:"versionNumber"`
	CreateTime         string `xml:"createTime"`
	CreatedBy          string `xml:"createdBy"`
	DefaultVersion     bool   `xml:"defaultVersion"`
	LaunchTemplateData struct {
		MetadataOptions *ltMetadata `xml:"metadataOptions,omitempty"`
	} `xml:"launchTemplateData"`
}

func (q *request) ec2() error {
	if q.action != "DescribeLaunchTemplateVersions" {
		return errorf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service (awstest serves only DescribeLaunchTemplateVersions).", q.action)
	}
	f := q.r.Form
	id, name := f.Get("LaunchTemplateId"), f.Get("LaunchTemplateName")
	var asked []string
	for i := 1; ; i++ {
		v, ok := f["LaunchTemplateVersion."+strconv.Itoa(i)]
		if !ok {
			break
		}
		asked = append(asked, v...)
	}
	// The region's templates, in the World's order, grouped by ID.
	var order []string
	templates := map[string][]*LaunchTemplateVersion{}
	for i := range q.account.LaunchTemplateVersions {
		v := &q.account.LaunchTemplateVersions[i]
		if regionOr(v.Region) != q.region {
			continue
		}
		if (id != "" && v.ID != id) || (name != "" && v.Name != name) {
			continue
		}
		if templates[v.ID] == nil {
			order = append(order, v.ID)
		}
		templates[v.ID] = append(templates[v.ID], v)
	}
	if len(order) == 0 && id != "" {
		return errorf(http.StatusBadRequest, "InvalidLaunchTemplateId.NotFound", "The specified launch template, with template ID %s, does not exist.", id)
	}
	if len(order) == 0 && name != "" {
		return errorf(http.StatusBadRequest, "InvalidLaunchTemplateName.NotFoundException", "At least one of the launch templates specified in the request does not exist.")
	}
	var out []*LaunchTemplateVersion
	defaults := map[*LaunchTemplateVersion]bool{}
	for _, tid := range order {
		vs := templates[tid]
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].Version < vs[j].Version })
		def := defaultVersion(vs)
		defaults[def] = true
		if len(asked) == 0 {
			out = append(out, vs...)
			continue
		}
		for _, a := range asked {
			switch a {
			case "$Latest":
				out = append(out, vs[len(vs)-1])
				continue
			case "$Default":
				out = append(out, def)
				continue
			}
			n, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return errorf(http.StatusBadRequest, "InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %s for launch template %s.", a, tid)
			}
			var found *LaunchTemplateVersion
			for _, v := range vs {
				if v.Version == n {
					found = v
				}
			}
			if found == nil {
				return errorf(http.StatusBadRequest, "InvalidLaunchTemplateId.VersionNotFound", "Could not find launch template version %d for launch template %s.", n, tid)
			}
			out = append(out, found)
		}
	}
	limit := len(out)
	if v := f.Get("MaxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return errorf(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter maxResults is invalid.", v)
		}
		limit = n
	}
	start, end, next, perr := q.page(f.Get("NextToken"), max(limit, 1), len(out))
	if perr != nil {
		return errorf(http.StatusBadRequest, "InvalidParameterValue", "Value (%s) for parameter nextToken is invalid.", f.Get("NextToken"))
	}
	var set items[ltVersion]
	for _, v := range out[start:end] {
		lv := ltVersion{
			LaunchTemplateID:   v.ID,
			LaunchTemplateName: v.Name,
			VersionNumber:      v.Version,
			CreateTime:         createDate.Format("2006-01-02T15:04:05.000Z"),
			CreatedBy:          arn(q.account, "iam", "", "user/awstest"),
			DefaultVersion:     defaults[v],
		}
		if v.HttpTokens != "" || v.HttpEndpoint != "" || v.HopLimit != 0 {
			lv.LaunchTemplateData.MetadataOptions = &ltMetadata{HTTPTokens: v.HttpTokens, HopLimit: v.HopLimit, HTTPEndpoint: v.HttpEndpoint}
		}
		set.Item = append(set.Item, lv)
	}
	return q.writeEC2Result(struct {
		RequestID string           `xml:"requestId"`
		Set       items[ltVersion] `xml:"launchTemplateVersionSet"`
		NextToken string           `xml:"nextToken,omitempty"`
	}{q.requestID, set, next})
}

// defaultVersion is the version marked Default, else the lowest; vs is
// sorted by version.
func defaultVersion(vs []*LaunchTemplateVersion) *LaunchTemplateVersion {
	for _, v := range vs {
		if v.Default {
			return v
		}
	}
	return vs[0]
}

func regionOr(r string) string {
	if r == "" {
		return DefaultRegion
	}
	return r
}
