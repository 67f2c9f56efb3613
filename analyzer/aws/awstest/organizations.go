package awstest

import (
	"encoding/json"
	"net/http"
)

// organizations answers the JSON 1.1 Organizations API: ListAccounts only.
// The management account is the one whose Organization is not empty;
// members get AccessDeniedException and standalone accounts
// AWSOrganizationsNotInUseException, as from real Organizations.
func (q *request) organizations() error {
	if q.action != "ListAccounts" {
		return errorf(http.StatusBadRequest, "UnknownOperationException", "awstest: Organizations operation %s is not served", q.action)
	}
	var in struct {
		MaxResults *int
		NextToken  string
	}
	if len(q.body) > 0 {
		if err := json.Unmarshal(q.body, &in); err != nil {
			return errorf(http.StatusBadRequest, "SerializationException", "awstest: %v", err)
		}
	}
	a := q.account
	if len(a.Organization) == 0 {
		for _, other := range q.s.accounts {
			for _, m := range other.Organization {
				if m.ID == a.ID {
					return errorf(http.StatusBadRequest, "AccessDeniedException", "You don't have permissions to access this resource.")
				}
			}
		}
		return errorf(http.StatusBadRequest, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	limit := 20
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 20 {
			return errorf(http.StatusBadRequest, "InvalidInputException", "You provided a value that does not match the required pattern.")
		}
		limit = *in.MaxResults
	}
	start, end, next, perr := q.page(in.NextToken, limit, len(a.Organization))
	if perr != nil {
		return errorf(http.StatusBadRequest, "InvalidInputException", "The provided token is not valid.")
	}
	org := "o-" + stableID(a.ID, 10, false)
	accounts := make([]map[string]any, 0, end-start)
	for _, m := range a.Organization[start:end] {
		status := m.Status
		if status == "" {
			status = "ACTIVE"
		}
		accounts = append(accounts, map[string]any{
			"Id":              m.ID,
			"Arn":             "arn:" + partition(a) + ":organizations::" + a.ID + ":account/" + org + "/" + m.ID,
			"Email":           m.Email,
			"Name":            m.Name,
			"Status":          status,
			"JoinedMethod":    "CREATED",
			"JoinedTimestamp": epoch(),
		})
	}
	q.w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	out := map[string]any{"Accounts": accounts}
	if next != "" {
		out["NextToken"] = next
	}
	q.writeJSONStatus(http.StatusOK, out)
	return nil
}
