// Package regotest gives Rego unit tests of rules what irsalint gives the
// rules themselves: the sandbox's capabilities, and irsalint.resolve, a
// built-in that adds to a hand-written input the facts irsalint resolves in
// Go (each workload's and container's effective identity, the signs that a
// container calls AWS, the index of workloads), so that a test states what
// the manifests say and the rule sees what it sees in a real run.
package regotest
