// Package config reads .irsalint.yaml: the cluster context (issuer, account,
// region, Kubernetes version, Fargate profiles, Pod Identity associations),
// additions to the settings catalogues, and rule selection. Reading is strict:
// an unknown key or a value of the wrong type is an error at its file:line:col.
package config
