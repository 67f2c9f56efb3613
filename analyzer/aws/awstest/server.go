package awstest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// maxBody bounds request bodies: the collector's requests are a few hundred
// bytes, so anything near this is a bug worth failing on.
const maxBody = 1 << 20

// createDate is the creation time reported for every resource, fixed so
// that tests can compare it.
var createDate = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// Call is one request the server answered.
type Call struct {
	Account string // account the credentials map to; "" when unknown
	Region  string // region of the credential scope
	Service string // "iam", "sts", "eks", "ec2", "organizations"; "" if unsigned
	Action  string // API operation name, e.g. "DescribeCluster"
	Status  int    // HTTP status answered
}

// Server is a running test server. Its methods are safe for concurrent use.
type Server struct {
	URL string

	srv      *httptest.Server
	accounts map[string]*Account
	first    string // ID of World.Accounts[0]

	mu       sync.Mutex
	throttle map[string]int
	fail     map[string]failure
	deny     map[string]bool
	pageSize map[string]int
	plain    bool
	calls    []Call
	sessions map[string]session // temporary access key -> session
	serial   int
}

type failure struct{ n, status int }

// session is what STS AssumeRole handed out.
type session struct {
	account, token, arn, userID string
}

// AccessKey returns the static credentials of an account: the access key
// is "AKIDTEST" followed by the account ID, so a request's account can be
// read off its signature.
func AccessKey(accountID string) (id, secret string) {
	return "AKIDTEST" + accountID, "awstest-secret-" + accountID
}

// NewServer starts a server for w; t.Cleanup closes it.
func NewServer(t testing.TB, w World) *Server {
	t.Helper()
	s := &Server{
		accounts: map[string]*Account{},
		throttle: map[string]int{},
		fail:     map[string]failure{},
		deny:     map[string]bool{},
		pageSize: map[string]int{},
		sessions: map[string]session{},
	}
	accounts := slices.Clone(w.Accounts)
	for i := range accounts {
		a := &accounts[i]
		if _, dup := s.accounts[a.ID]; dup {
			t.Fatalf("awstest: account %s appears twice in the World", a.ID)
		}
		s.accounts[a.ID] = a
	}
	if len(accounts) > 0 {
		s.first = accounts[0].ID
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Env returns the environment that makes config.LoadDefaultConfig reach
// this server and nothing else, as "K=V" entries: the endpoint (also per
// service, so a stray AWS_ENDPOINT_URL_EKS cannot win), the first account's
// static keys, the region, empty shared config and credentials files, and
// IMDS disabled. Variables that could redirect or add to the credentials
// are set empty, which the SDK reads as unset. AWS_MAX_ATTEMPTS and
// AWS_RETRY_MODE are left alone so that the SDK's default retryer runs.
func (s *Server) Env(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	for _, f := range []string{cfg, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatalf("awstest: %v", err)
		}
	}
	var id, secret string
	if s.first != "" {
		id, secret = AccessKey(s.first)
	}
	env := []string{
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_ACCESS_KEY_ID=" + id,
		"AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_SESSION_TOKEN=",
		"AWS_REGION=" + DefaultRegion,
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_PROFILE=",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=",
		"AWS_USE_FIPS_ENDPOINT=",
		"AWS_USE_DUALSTACK_ENDPOINT=",
		"AWS_ROLE_ARN=",
		"AWS_WEB_IDENTITY_TOKEN_FILE=",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=",
	}
	for _, svc := range []string{"STS", "IAM", "EKS", "EC2", "ORGANIZATIONS"} {
		env = append(env, "AWS_ENDPOINT_URL_"+svc+"="+s.URL)
	}
	return env
}

// Setenv applies Env with t.Setenv; tests that use it cannot be parallel.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env(t) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Config returns an aws.Config for accountID's static keys that reaches
// this server without reading the environment or any file, for tests that
// run in parallel. Its retryer is the SDK default, as with Env.
func (s *Server) Config(accountID string) aws.Config {
	id, secret := AccessKey(accountID)
	return aws.Config{
		Region:       DefaultRegion,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
	}
}

// Throttle makes the next n calls of action answer a throttling error
// (IAM and STS: 400 Throttling; EC2: 503 RequestLimitExceeded; EKS: 429
// ThrottlingException; Organizations: 400 TooManyRequestsException), then
// answer normally. The SDK retries these.
func (s *Server) Throttle(action string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle[action] = n
}

// Fail makes the next n calls of action answer status (a 5xx: 500 gives
// InternalFailure, 503 ServiceUnavailable, in each service's own codes).
func (s *Server) Fail(action string, n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[action] = failure{n: n, status: status}
}

// Deny makes every call of action answer access denied, in the shape and
// with the message each service sends, naming the caller and the
// "service:Action" permission (IAM/STS 403 AccessDenied, EC2 403
// UnauthorizedOperation, EKS 403 AccessDeniedException, Organizations 400
// AccessDeniedException).
func (s *Server) Deny(action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny[action] = true
}

// PageSize caps the items of one page of action at n, even when more are
// asked: IAM and the others may return fewer than MaxItems, and a collector
// must follow the marker rather than count.
func (s *Server) PageSize(action string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize[action] = n
}

// Plain makes IAM send policy documents unencoded, as some emulators do,
// instead of URL-encoded as IAM does.
func (s *Server) Plain(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.plain = on
}

// Calls returns every request answered so far, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// apiError is an error answer; each protocol renders it its own way.
type apiError struct {
	status  int
	code    string
	message string
	fields  map[string]string // extra members of a JSON error body
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// request is one request being answered.
type request struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	body      []byte
	service   string
	region    string
	action    string
	account   *Account // nil when the credentials map to none
	principal string   // ARN of the caller
	requestID string
	status    int
	signed    bool // false: service is only a guess to render the error
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	q := &request{s: s, w: w, r: r, status: http.StatusOK}
	s.mu.Lock()
	s.serial++
	q.requestID = fmt.Sprintf("awstest-%08d-0000-4000-8000-000000000000", s.serial)
	s.mu.Unlock()
	err := q.handle()
	var ae *apiError
	if err != nil && !errors.As(err, &ae) {
		ae = errorf(http.StatusInternalServerError, "InternalFailure", "awstest: %v", err)
	}
	if ae != nil {
		q.writeError(ae)
	}
	acct := ""
	if q.account != nil {
		acct = q.account.ID
	}
	service := q.service
	if !q.signed {
		service = ""
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{Account: acct, Region: q.region, Service: service, Action: q.action, Status: q.status})
	s.mu.Unlock()
}

func (q *request) handle() error {
	r := q.r
	akid, region, service, signed := parseAuthorization(r.Header.Get("Authorization"))
	q.signed = signed
	if signed {
		q.region, q.service = region, service
	} else {
		q.guessService()
	}
	body, err := io.ReadAll(http.MaxBytesReader(q.w, r.Body, maxBody))
	if err != nil {
		return errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "awstest: request body over %d bytes or unreadable: %v", maxBody, err)
	}
	q.body = body
	if !signed {
		return errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	switch q.service {
	case "sts", "iam", "ec2", "eks", "organizations":
	default:
		return errorf(http.StatusBadRequest, "InvalidAction", "awstest: service %q is not served", q.service)
	}
	if err := q.authenticate(akid); err != nil {
		_ = q.findAction() // only to name the action in Calls
		return err
	}
	if err := q.findAction(); err != nil {
		return err
	}
	if err := q.faults(); err != nil {
		return err
	}
	switch q.service {
	case "sts":
		return q.sts()
	case "iam":
		return q.iam()
	case "ec2":
		return q.ec2()
	case "eks":
		return q.eks()
	}
	return q.organizations()
}

// guessService names the protocol of a request whose credential scope is
// missing, so that its error is rendered in a shape the client can read.
func (q *request) guessService() {
	switch {
	case q.r.Header.Get("X-Amz-Target") != "":
		q.service = "organizations"
	case strings.HasPrefix(q.r.URL.Path, "/clusters"):
		q.service = "eks"
	default:
		q.service = "iam"
	}
}

// parseAuthorization reads the access key, region and service from a SigV4
// Authorization header: "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...".
func parseAuthorization(h string) (akid, region, service string, ok bool) {
	rest, found := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !found {
		return "", "", "", false
	}
	for part := range strings.SplitSeq(rest, ",") {
		cred, found := strings.CutPrefix(strings.TrimSpace(part), "Credential=")
		if !found {
			continue
		}
		f := strings.Split(cred, "/")
		if len(f) != 5 || f[4] != "aws4_request" || f[0] == "" || f[2] == "" || f[3] == "" {
			return "", "", "", false
		}
		return f[0], f[2], f[3], true
	}
	return "", "", "", false
}

// findAction reads the operation name the way each protocol carries it.
func (q *request) findAction() error {
	switch q.service {
	case "sts", "iam", "ec2":
		if err := q.parseForm(); err != nil {
			return err
		}
		q.action = q.r.Form.Get("Action")
		if q.action == "" {
			return errorf(http.StatusBadRequest, "MissingAction", "awstest: %s request without Action", q.service)
		}
	case "organizations":
		target := q.r.Header.Get("X-Amz-Target")
		op, found := strings.CutPrefix(target, "AWSOrganizationsV20161128.")
		if !found || op == "" {
			return errorf(http.StatusBadRequest, "UnknownOperationException", "awstest: unknown Organizations target %q", target)
		}
		q.action = op
	case "eks":
		q.action = eksAction(q.r.Method, q.r.URL.Path)
		if q.action == "" {
			// Calls shows the route, the only name a client's request has.
			q.action = q.r.Method + " " + q.r.URL.Path
			return errorf(http.StatusBadRequest, "UnknownOperationException", "awstest: EKS operation %s is not served", q.action)
		}
	default:
		return errorf(http.StatusBadRequest, "InvalidAction", "awstest: service %q is not served", q.service)
	}
	return nil
}

func (q *request) parseForm() error {
	v, err := parseQuery(string(q.body))
	if err != nil {
		return errorf(http.StatusBadRequest, "MalformedQueryString", "awstest: %v", err)
	}
	q.r.Form = v
	return nil
}

// authenticate maps the access key to an account and a principal.
func (q *request) authenticate(akid string) error {
	s := q.s
	if id, found := strings.CutPrefix(akid, "AKIDTEST"); found {
		if a, ok := s.accounts[id]; ok {
			q.account = a
			q.principal = arn(a, "iam", "", "user/awstest")
			return nil
		}
	}
	s.mu.Lock()
	sess, ok := s.sessions[akid]
	s.mu.Unlock()
	if ok && q.r.Header.Get("X-Amz-Security-Token") == sess.token {
		q.account = s.accounts[sess.account]
		q.principal = sess.arn
		return nil
	}
	code := "InvalidClientTokenId"
	switch q.service {
	case "ec2":
		code = "AuthFailure"
	case "eks", "organizations":
		code = "UnrecognizedClientException"
	}
	return errorf(http.StatusForbidden, code, "The security token included in the request is invalid.")
}

// faults answers the injected faults of the action, if any: a pending
// throttle first, then a pending failure, then a denial, so that a denied
// action can still be throttled as AWS throttles before it authorizes.
func (q *request) faults() error {
	s := q.s
	s.mu.Lock()
	throttled := s.throttle[q.action] > 0
	if throttled {
		s.throttle[q.action]--
	}
	f := s.fail[q.action]
	failed := !throttled && f.n > 0
	if failed {
		f.n--
		s.fail[q.action] = f
	}
	denied := s.deny[q.action]
	s.mu.Unlock()
	switch {
	case throttled:
		switch q.service {
		case "ec2":
			return errorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
		case "eks":
			return errorf(http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded")
		case "organizations":
			return errorf(http.StatusBadRequest, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.")
		}
		return errorf(http.StatusBadRequest, "Throttling", "Rate exceeded")
	case failed:
		return serverError(q.service, f.status)
	case denied:
		perm := q.service + ":" + q.action
		msg := fmt.Sprintf("User: %s is not authorized to perform: %s because no identity-based policy allows the %s action", q.principal, perm, perm)
		switch q.service {
		case "ec2":
			return errorf(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation. %s", msg)
		case "eks":
			return errorf(http.StatusForbidden, "AccessDeniedException", "%s", msg)
		case "organizations":
			// Organizations answers its client errors with 400.
			return errorf(http.StatusBadRequest, "AccessDeniedException", "%s", msg)
		}
		return errorf(http.StatusForbidden, "AccessDenied", "%s", msg)
	}
	return nil
}

// serverError is a 5xx in the service's own error codes.
func serverError(service string, status int) *apiError {
	if status < 500 || status > 599 {
		status = http.StatusInternalServerError
	}
	unavailable := status == http.StatusServiceUnavailable
	code := "InternalFailure"
	msg := "We encountered an internal error. Please try again."
	if unavailable {
		code, msg = "ServiceUnavailable", "Service is unavailable. Please try again later."
	}
	switch service {
	case "ec2":
		code = map[bool]string{false: "InternalError", true: "Unavailable"}[unavailable]
	case "eks":
		code = map[bool]string{false: "ServerException", true: "ServiceUnavailableException"}[unavailable]
	case "organizations":
		code = map[bool]string{false: "ServiceException", true: "ServiceException"}[unavailable]
	}
	return errorf(status, code, "%s", msg)
}

// writeError renders e in the request's protocol.
func (q *request) writeError(e *apiError) {
	q.status = e.status
	h := q.w.Header()
	h.Set("X-Amzn-Requestid", q.requestID)
	switch q.service {
	case "ec2":
		h.Set("Content-Type", "text/xml;charset=UTF-8")
		q.w.WriteHeader(e.status)
		_, _ = io.WriteString(q.w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"+xmlText(e.code)+"</Code><Message>"+xmlText(e.message)+"</Message></Error></Errors><RequestID>"+q.requestID+"</RequestID></Response>")
	case "eks":
		h.Set("Content-Type", "application/json")
		h.Set("X-Amzn-Errortype", e.code+":http://internal.amazon.com/coral/com.amazon.eks/")
		body := map[string]string{"message": e.message}
		for k, v := range e.fields {
			body[k] = v
		}
		q.writeJSONStatus(e.status, body)
	case "organizations":
		h.Set("Content-Type", "application/x-amz-json-1.1")
		q.writeJSONStatus(e.status, map[string]string{"__type": e.code, "Message": e.message})
	default: // sts, iam
		kind := "Sender"
		if e.status >= 500 {
			kind = "Receiver"
		}
		h.Set("Content-Type", "text/xml")
		q.w.WriteHeader(e.status)
		_, _ = io.WriteString(q.w, "<ErrorResponse xmlns=\""+namespace(q.service)+"\"><Error><Type>"+kind+"</Type><Code>"+xmlText(e.code)+"</Code><Message>"+xmlText(e.message)+"</Message></Error><RequestId>"+q.requestID+"</RequestId></ErrorResponse>")
	}
}

// page returns the bounds of the page that starts at token (an opaque
// offset) and holds at most max items, capped by PageSize, and the token of
// the next page ("" on the last).
func (q *request) page(token string, limit, total int) (start, end int, next string, err *apiError) {
	start = 0
	if token != "" {
		if _, e := fmt.Sscanf(token, "awstest-page-%d", &start); e != nil || start < 0 || start > total {
			return 0, 0, "", errorf(http.StatusBadRequest, "InvalidParameterException", "awstest: invalid pagination token %q", token)
		}
	}
	q.s.mu.Lock()
	if n := q.s.pageSize[q.action]; n > 0 && n < limit {
		limit = n
	}
	q.s.mu.Unlock()
	end = min(start+limit, total)
	if end < total {
		next = fmt.Sprintf("awstest-page-%d", end)
	}
	return start, end, next, nil
}

// arn builds an ARN in the account's partition.
func arn(a *Account, service, region, resource string) string {
	return "arn:" + partition(a) + ":" + service + ":" + region + ":" + a.ID + ":" + resource
}

func partition(a *Account) string {
	if a.Partition == "" {
		return "aws"
	}
	return a.Partition
}
