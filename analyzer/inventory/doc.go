// Package inventory joins everything irsalint read into the one document the
// rules see (their input), with indexes by key so that rules stay linear, and
// remembers where each object came from so findings get file:line:col.
// The input's schema is documented in docs/inventory.md.
package inventory
