// Package kubetest runs a real etcd and kube-apiserver on 127.0.0.1 for
// tests, so client code is tested against the server's own pagination,
// RBAC and error messages rather than a fake's idea of them.
//
// There are no controllers: a Deployment gets no ReplicaSet, a namespace no
// default ServiceAccount. Tests create what they need.
//
// The binaries come from .ci/kube-env (eval "$(bash .ci/kube-env)"); without
// them Start skips the test.
package kubetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// KubeVersion is the kube-apiserver release the tests expect: the one whose
// staging modules match the client-go in go.mod.
const KubeVersion = "v1.37.2"

// Names in the kubeconfig Start writes.
const (
	// AdminContext (the current context) authenticates as AdminUser, in
	// group system:masters.
	AdminContext = "admin"
	AdminUser    = "irsalint-admin"
	// RestrictedContext authenticates as RestrictedUser, who has no RBAC
	// grants until a test binds some.
	RestrictedContext = "restricted"
	RestrictedUser    = "irsalint-restricted"
)

// Cluster is a running etcd and kube-apiserver.
type Cluster struct {
	// Kubeconfig is a kubeconfig file with contexts AdminContext (current)
	// and RestrictedContext.
	Kubeconfig string
	// RestrictedKubeconfig is the same file with RestrictedContext current.
	RestrictedKubeconfig string
	// Server is the API server URL.
	Server string
	// Client is an admin client.
	Client kubernetes.Interface
	// Config is the admin client's configuration.
	Config *rest.Config

	dir   string
	ca    []byte
	procs []*process
}

// Binaries returns the etcd and kube-apiserver paths the tests use:
// $IRSALINT_ETCD (default: etcd on PATH, else /usr/bin/etcd, else the tool
// cache's) and $IRSALINT_KUBE_APISERVER (default: the tool cache's
// kube-apiserver-KubeVersion). The tool cache is
// ${IRSALINT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/irsalint-tools}.
func Binaries() (etcd, apiserver string) {
	tools := os.Getenv("IRSALINT_TOOLS")
	if tools == "" {
		if cache, err := os.UserCacheDir(); err == nil {
			tools = filepath.Join(cache, "irsalint-tools")
		}
	}
	etcd = os.Getenv("IRSALINT_ETCD")
	if etcd == "" {
		if p, err := exec.LookPath("etcd"); err == nil {
			etcd = p
		} else if isExec("/usr/bin/etcd") {
			etcd = "/usr/bin/etcd"
		} else if matches, _ := filepath.Glob(filepath.Join(tools, "etcd-v*")); len(matches) > 0 {
			etcd = matches[len(matches)-1]
		} else {
			etcd = "etcd"
		}
	}
	apiserver = os.Getenv("IRSALINT_KUBE_APISERVER")
	if apiserver == "" {
		apiserver = filepath.Join(tools, "kube-apiserver-"+KubeVersion)
	}
	return etcd, apiserver
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// skipUnlessBinaries skips t when a binary is missing, saying how to get it.
func skipUnlessBinaries(t testing.TB) (etcd, apiserver string) {
	t.Helper()
	etcd, apiserver = Binaries()
	var missing []string
	if p, err := exec.LookPath(etcd); err != nil {
		missing = append(missing, "etcd ("+etcd+")")
	} else {
		etcd = p
	}
	if !isExec(apiserver) {
		missing = append(missing, "kube-apiserver ("+apiserver+")")
	}
	if len(missing) > 0 {
		if os.Getenv("IRSALINT_KUBE_REQUIRED") != "" {
			// .ci/kube-env sets it: in CI a missing binary is a broken
			// setup, not a reason to pass without running.
			t.Fatalf("kubetest: IRSALINT_KUBE_REQUIRED is set and %s not found", strings.Join(missing, " and "))
		}
		t.Skipf("kubetest: %s not found; run eval \"$(bash .ci/kube-env)\" from the repository root to build them and set IRSALINT_ETCD and IRSALINT_KUBE_APISERVER", strings.Join(missing, " and "))
	}
	return etcd, apiserver
}

// Start starts etcd and kube-apiserver for t and stops them when t ends.
// It skips t when the binaries are absent. Startup takes seconds: tests of a
// package that share one server call Shared instead.
func Start(t testing.TB) *Cluster {
	t.Helper()
	etcd, apiserver := skipUnlessBinaries(t)
	c, err := start(t.TempDir(), etcd, apiserver)
	if c != nil {
		t.Cleanup(c.Stop)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var shared struct {
	once    sync.Once
	dir     string
	cluster *Cluster
	err     error
}

// Shared returns one cluster for the whole test binary, started on first
// use. Call Main from TestMain so it is stopped at the end; the processes
// are also killed if the test binary dies. Tests that share it must not
// depend on one another's objects (use distinct namespaces).
func Shared(t testing.TB) *Cluster {
	t.Helper()
	etcd, apiserver := skipUnlessBinaries(t)
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "kubetest-")
		if shared.err == nil {
			shared.cluster, shared.err = start(shared.dir, etcd, apiserver)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.cluster
}

// Main runs the tests and then stops the Shared cluster:
//
//	func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if shared.cluster != nil {
		shared.cluster.Stop()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	return code
}

// Stop stops kube-apiserver, then etcd. It may be called more than once.
func (c *Cluster) Stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		c.procs[i].stop()
	}
	c.procs = nil
}

// KubeconfigAs writes a kubeconfig whose only context authenticates as the
// admin impersonating user (with groups), and returns its path: a test of
// what an RBAC grant allows, for any user or service account
// ("system:serviceaccount:NS:NAME"), without restarting the server.
func (c *Cluster) KubeconfigAs(t testing.TB, user string, groups ...string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubetest"] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthorityData: c.ca}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: adminToken, Impersonate: user, ImpersonateGroups: groups}
	cfg.Contexts[user] = &clientcmdapi.Context{Cluster: "kubetest", AuthInfo: user}
	cfg.CurrentContext = user
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Static tokens: the server reads them from --token-auth-file. They guard
// nothing but a loopback server that lives for one test run.
const (
	adminToken      = "kubetest-admin-token"
	restrictedToken = "kubetest-restricted-token"
)

func start(dir, etcdBin, apiserverBin string) (c *Cluster, err error) {
	c = &Cluster{dir: dir}
	defer func() {
		if err != nil {
			c.Stop()
			err = fmt.Errorf("kubetest: %w", err)
		}
	}()
	ports, err := freePorts(3)
	if err != nil {
		return c, err
	}
	clientURL := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	// Flags etcd 3.4 through 3.6 all accept.
	etcd, err := startProcess(dir, "etcd", etcdBin,
		"--name=kubetest",
		"--data-dir="+filepath.Join(dir, "etcd-data"),
		"--listen-client-urls="+clientURL,
		"--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=kubetest="+peerURL,
		"--log-level=warn",
	)
	if err != nil {
		return c, err
	}
	c.procs = append(c.procs, etcd)

	pki := filepath.Join(dir, "pki")
	if err := os.MkdirAll(pki, 0o700); err != nil {
		return c, err
	}
	if c.ca, err = writePKI(pki); err != nil {
		return c, err
	}
	tokens := fmt.Sprintf("%s,%s,%s,system:masters\n%s,%s,%s\n",
		adminToken, AdminUser, AdminUser, restrictedToken, RestrictedUser, RestrictedUser)
	if err := os.WriteFile(filepath.Join(pki, "tokens.csv"), []byte(tokens), 0o600); err != nil {
		return c, err
	}

	c.Server = fmt.Sprintf("https://127.0.0.1:%d", ports[2])
	apiserver, err := startProcess(dir, "kube-apiserver", apiserverBin,
		"--etcd-servers="+clientURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", ports[2]),
		"--cert-dir="+filepath.Join(dir, "apiserver-certs"),
		"--tls-cert-file="+filepath.Join(pki, "serving.crt"),
		"--tls-private-key-file="+filepath.Join(pki, "serving.key"),
		"--token-auth-file="+filepath.Join(pki, "tokens.csv"),
		"--authorization-mode=RBAC",
		// No controller manager makes default ServiceAccounts, so the
		// admission plugin that requires them is off.
		"--disable-admission-plugins=ServiceAccount",
		// No endpoints for the kubernetes Service: nothing dials it.
		"--endpoint-reconciler-type=none",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--service-account-issuer=https://kubetest.invalid",
		"--service-account-key-file="+filepath.Join(pki, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(pki, "sa.key"),
	)
	if err != nil {
		return c, err
	}
	c.procs = append(c.procs, apiserver)

	if err := c.writeKubeconfigs(); err != nil {
		return c, err
	}
	if c.Config, err = clientcmd.BuildConfigFromFlags("", c.Kubeconfig); err != nil {
		return c, err
	}
	if c.Client, err = kubernetes.NewForConfig(c.Config); err != nil {
		return c, err
	}
	if err := c.waitReady(90*time.Second, apiserver, etcd); err != nil {
		return c, err
	}
	return c, nil
}

// waitReady waits for /readyz, which includes the RBAC bootstrap, and for
// the system namespaces the server makes right after, so every test sees
// the same namespaces.
func (c *Cluster) waitReady(timeout time.Duration, procs ...*process) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.ca)
	hc := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	defer hc.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ready := func() (bool, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.Server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := hc.Do(req)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status
	}
	namespaces := func() (bool, string) {
		for _, ns := range systemNamespaces {
			if _, err := c.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
				return false, err.Error()
			}
		}
		return true, ""
	}
	for _, check := range []func() (bool, string){ready, namespaces} {
		for {
			for _, p := range procs {
				if err := p.exited(); err != nil {
					return err
				}
			}
			ok, last := check()
			if ok {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("kube-apiserver not ready after %v (%s); its log ends:\n%s", timeout, last, procs[0].tail())
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// systemNamespaces are the namespaces kube-apiserver creates itself.
var systemNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

func (c *Cluster) writeKubeconfigs() error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubetest"] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthorityData: c.ca}
	cfg.AuthInfos[AdminUser] = &clientcmdapi.AuthInfo{Token: adminToken}
	cfg.AuthInfos[RestrictedUser] = &clientcmdapi.AuthInfo{Token: restrictedToken}
	cfg.Contexts[AdminContext] = &clientcmdapi.Context{Cluster: "kubetest", AuthInfo: AdminUser}
	cfg.Contexts[RestrictedContext] = &clientcmdapi.Context{Cluster: "kubetest", AuthInfo: RestrictedUser}
	cfg.CurrentContext = AdminContext
	c.Kubeconfig = filepath.Join(c.dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, c.Kubeconfig); err != nil {
		return err
	}
	cfg.CurrentContext = RestrictedContext
	c.RestrictedKubeconfig = filepath.Join(c.dir, "kubeconfig-restricted")
	return clientcmd.WriteToFile(*cfg, c.RestrictedKubeconfig)
}

// freePorts asks the kernel for n free loopback ports. They are free when
// returned, not reserved: another process could take one before the server
// binds it, which on a test machine is rare enough.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writePKI writes a CA, a serving certificate for 127.0.0.1 signed by it,
// and the service account signing key pair, and returns the CA in PEM.
func writePKI(dir string) ([]byte, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kubetest-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	srvKeyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		return nil, err
	}
	// The brief's RSA service account key: kube-apiserver signs tokens
	// with it and verifies them with the public half.
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return nil, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	files := map[string][]byte{
		"ca.crt":      caPEM,
		"serving.crt": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		"serving.key": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: srvKeyDER}),
		"sa.key":      pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(saKey)}),
		"sa.pub":      pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPub}),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	return caPEM, nil
}

// process is a started server whose output goes to a log file, so a failed
// start can show why.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // set before done is closed
	once sync.Once
}

func startProcess(dir, name, bin string, args ...string) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	// If the test binary dies without cleaning up, the kernel kills the
	// servers rather than leaving them bound to ports and temp dirs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// exited returns an error with the log's tail if p has exited.
func (p *process) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited (%v):\n%s", p.name, p.err, p.tail())
	default:
		return nil
	}
}

func (p *process) tail() string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// stop asks p to exit (SIGTERM) and kills it after a grace period.
func (p *process) stop() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}
