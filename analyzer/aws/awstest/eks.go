package awstest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// eksAction names the EKS operation of a REST request; "" if not served.
func eksAction(method, path string) string {
	if method != http.MethodGet {
		return ""
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	if seg[0] != "clusters" {
		return ""
	}
	switch len(seg) {
	case 1:
		return "ListClusters"
	case 2:
		return "DescribeCluster"
	}
	kind := map[string][2]string{
		"pod-identity-associations": {"ListPodIdentityAssociations", "DescribePodIdentityAssociation"},
		"fargate-profiles":          {"ListFargateProfiles", "DescribeFargateProfile"},
		"node-groups":               {"ListNodegroups", "DescribeNodegroup"},
	}[seg[2]]
	switch {
	case kind[0] == "":
		return ""
	case len(seg) == 3:
		return kind[0]
	case len(seg) == 4:
		return kind[1]
	}
	return ""
}

func (q *request) writeJSONStatus(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"message":"awstest: cannot encode the answer"}`)
		status = http.StatusInternalServerError
		q.status = status
	}
	q.w.Header().Set("X-Amzn-Requestid", q.requestID)
	q.w.WriteHeader(status)
	_, _ = q.w.Write(b)
}

func (q *request) writeJSON(v any) error {
	q.w.Header().Set("Content-Type", "application/json")
	q.writeJSONStatus(http.StatusOK, v)
	return nil
}

// epoch is a timestamp as EKS sends it: seconds since 1970 as a number.
func epoch() float64 { return float64(createDate.Unix()) }

func notFound(format, name, field string) *apiError {
	e := errorf(http.StatusNotFound, "ResourceNotFoundException", format, name)
	if field != "" {
		e.fields = map[string]string{field: name}
	}
	return e
}

// eksPage pages names with maxResults (1..100, default 100) and nextToken.
func (q *request) eksPage(total int) (start, end int, next string, err error) {
	limit := 100
	query := q.r.URL.Query()
	if v := query.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, "", errorf(http.StatusBadRequest, "InvalidParameterException", "maxResults must be between 1 and 100")
		}
		limit = n
	}
	start, end, next, perr := q.page(query.Get("nextToken"), limit, total)
	if perr != nil {
		return 0, 0, "", perr
	}
	return start, end, next, nil
}

func (q *request) eks() error {
	a := q.account
	seg := strings.Split(strings.Trim(q.r.URL.Path, "/"), "/")
	if q.action == "ListClusters" {
		var names []string
		for i := range a.Clusters {
			if regionOr(a.Clusters[i].Region) == q.region {
				names = append(names, a.Clusters[i].Name)
			}
		}
		start, end, next, err := q.eksPage(len(names))
		if err != nil {
			return err
		}
		return q.writeJSON(map[string]any{"clusters": nonNil(names[start:end]), "nextToken": optional(next)})
	}
	var c *Cluster
	for i := range a.Clusters {
		if a.Clusters[i].Name == seg[1] && regionOr(a.Clusters[i].Region) == q.region {
			c = &a.Clusters[i]
		}
	}
	if c == nil {
		return notFound("No cluster found for name: %s.", seg[1], "clusterName")
	}
	clusterArn := func(kind, rest string) string {
		return arn(a, "eks", q.region, kind+"/"+rest)
	}
	switch q.action {
	case "DescribeCluster":
		out := map[string]any{
			"name":            c.Name,
			"arn":             clusterArn("cluster", c.Name),
			"createdAt":       epoch(),
			"version":         c.Version,
			"platformVersion": c.PlatformVersion,
			"status":          "ACTIVE",
			"roleArn":         c.RoleArn,
			"endpoint":        "https://" + strings.ToUpper(stableID(a.ID+c.Name, 32, false)) + ".gr7." + q.region + ".eks.amazonaws.com",
			"tags":            map[string]string{},
		}
		if c.Issuer != "" {
			out["identity"] = map[string]any{"oidc": map[string]string{"issuer": c.Issuer}}
		}
		if c.AuthenticationMode != "" {
			out["accessConfig"] = map[string]string{"authenticationMode": c.AuthenticationMode}
		}
		return q.writeJSON(map[string]any{"cluster": out})
	case "ListNodegroups":
		names := make([]string, 0, len(c.Nodegroups))
		for _, n := range c.Nodegroups {
			names = append(names, n.Name)
		}
		start, end, next, err := q.eksPage(len(names))
		if err != nil {
			return err
		}
		return q.writeJSON(map[string]any{"nodegroups": names[start:end], "nextToken": optional(next)})
	case "DescribeNodegroup":
		for _, n := range c.Nodegroups {
			if n.Name != seg[3] {
				continue
			}
			out := map[string]any{
				"nodegroupName": n.Name,
				"nodegroupArn":  clusterArn("nodegroup", c.Name+"/"+n.Name+"/"+uuidFor(a.ID+c.Name+n.Name)),
				"clusterName":   c.Name,
				"version":       c.Version,
				"status":        "ACTIVE",
				"createdAt":     epoch(),
				"modifiedAt":    epoch(),
				"nodeRole":      n.NodeRole,
				"tags":          map[string]string{},
			}
			if n.AmiType != "" {
				out["amiType"] = n.AmiType
			}
			if n.CapacityType != "" {
				out["capacityType"] = n.CapacityType
			}
			if lt := n.LaunchTemplate; lt != nil {
				ref := map[string]string{}
				for k, v := range map[string]string{"id": lt.ID, "name": lt.Name, "version": lt.Version} {
					if v != "" {
						ref[k] = v
					}
				}
				out["launchTemplate"] = ref
			}
			return q.writeJSON(map[string]any{"nodegroup": out})
		}
		return notFound("No node group found for name: %s.", seg[3], "nodegroupName")
	case "ListFargateProfiles":
		names := make([]string, 0, len(c.FargateProfiles))
		for _, p := range c.FargateProfiles {
			names = append(names, p.Name)
		}
		start, end, next, err := q.eksPage(len(names))
		if err != nil {
			return err
		}
		return q.writeJSON(map[string]any{"fargateProfileNames": names[start:end], "nextToken": optional(next)})
	case "DescribeFargateProfile":
		for _, p := range c.FargateProfiles {
			if p.Name != seg[3] {
				continue
			}
			sel := make([]map[string]any, 0, len(p.Selectors))
			for _, s := range p.Selectors {
				m := map[string]any{"namespace": s.Namespace}
				if len(s.Labels) > 0 {
					m["labels"] = s.Labels
				}
				sel = append(sel, m)
			}
			return q.writeJSON(map[string]any{"fargateProfile": map[string]any{
				"fargateProfileName":  p.Name,
				"fargateProfileArn":   clusterArn("fargateprofile", c.Name+"/"+p.Name+"/"+uuidFor(a.ID+c.Name+p.Name)),
				"clusterName":         c.Name,
				"createdAt":           epoch(),
				"podExecutionRoleArn": p.PodExecutionRoleArn,
				"selectors":           sel,
				"status":              "ACTIVE",
				"subnets":             []string{},
				"tags":                map[string]string{},
			}})
		}
		return notFound("No Fargate Profile found with name: %s.", seg[3], "fargateProfileName")
	case "ListPodIdentityAssociations":
		query := q.r.URL.Query()
		ns, sa := query.Get("namespace"), query.Get("serviceAccount")
		var list []Association
		for _, as := range c.Associations {
			if (ns == "" || as.Namespace == ns) && (sa == "" || as.ServiceAccount == sa) {
				list = append(list, as)
			}
		}
		start, end, next, err := q.eksPage(len(list))
		if err != nil {
			return err
		}
		sums := make([]map[string]string, 0, end-start)
		for _, as := range list[start:end] {
			id := associationID(a, c, &as)
			sums = append(sums, map[string]string{
				"clusterName":    c.Name,
				"namespace":      as.Namespace,
				"serviceAccount": as.ServiceAccount,
				"associationArn": clusterArn("podidentityassociation", c.Name+"/"+id),
				"associationId":  id,
			})
		}
		return q.writeJSON(map[string]any{"associations": sums, "nextToken": optional(next)})
	case "DescribePodIdentityAssociation":
		for _, as := range c.Associations {
			id := associationID(a, c, &as)
			if id != seg[3] {
				continue
			}
			out := map[string]any{
				"clusterName":        c.Name,
				"namespace":          as.Namespace,
				"serviceAccount":     as.ServiceAccount,
				"roleArn":            as.RoleArn,
				"associationArn":     clusterArn("podidentityassociation", c.Name+"/"+id),
				"associationId":      id,
				"tags":               map[string]string{},
				"createdAt":          epoch(),
				"modifiedAt":         epoch(),
				"disableSessionTags": as.DisableSessionTags,
			}
			if as.TargetRoleArn != "" {
				out["targetRoleArn"] = as.TargetRoleArn
			}
			return q.writeJSON(map[string]any{"association": out})
		}
		return notFound("No Pod Identity Association found for id: %s.", seg[3], "")
	}
	return errorf(http.StatusBadRequest, "UnknownOperationException", "awstest: EKS operation %s is not served", q.action)
}

// associationID is the association's ID, derived when the World names none.
func associationID(a *Account, c *Cluster, as *Association) string {
	if as.ID != "" {
		return as.ID
	}
	return "a-" + stableID(a.ID+"/"+c.Name+"/"+as.Namespace+"/"+as.ServiceAccount+"/"+as.RoleArn, 17, false)
}

// uuidFor is a stable UUID-shaped suffix, like the one in node group ARNs.
func uuidFor(key string) string {
	h := stableID(key, 32, false)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// optional leaves an empty string out of a JSON answer.
func optional(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
