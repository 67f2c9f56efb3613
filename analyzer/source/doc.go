// Package source reads input files and decodes YAML and JSON documents into
// plain Go values that mean what they mean to Kubernetes, with source
// positions for every key and value.
package source
