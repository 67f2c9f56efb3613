// Package k8s knows the shape of Kubernetes objects: which documents are objects
// irsalint reads, where a workload keeps its pod template, how Kubernetes picks
// the effective service account and merges security contexts. It turns each
// object into the normalized entry the rules see, with the path of every field
// a rule may point at.
package k8s
