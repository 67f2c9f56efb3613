// Package analyzer holds the nouns every part of irsalint shares: severities,
// positions, locations, findings and diagnostics. Its sub-packages do the work:
// source decodes files, k8s normalizes Kubernetes objects, inventory joins them
// into the rules' input, engine evaluates the Rego rules, report renders results,
// and lint wires those steps together.
package analyzer
