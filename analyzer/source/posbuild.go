package source

import (
	"hash/maphash"
	"slices"

	"github.com/irsalint/irsalint/analyzer"
)

var (
	posSeed  = maphash.MakeSeed()
	rootHash = maphash.String(posSeed, "")
)

// keyHash and indexHash chain a path hash with one more element. Keys are
// hashed with the random seed; mix spreads every bit of its input over the
// result, so that paths that differ anywhere differ in the hash.
func keyHash(h uint64, key string) uint64 {
	return mix(h ^ maphash.String(posSeed, key))
}

func indexHash(h uint64, i int) uint64 {
	return mix(h ^ (uint64(i)+1)*0x9e3779b97f4a7c15)
}

// mix is a bijective 64-bit finalizer (xor-shift, multiply by odd
// constants).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// posBuilder collects a document's entries while it is decoded, in document
// order: a node's entry comes before the entries below it. A value that a
// later key replaces (a duplicate key, a merge) has its entries marked
// superseded and left out of the result. One posBuilder serves all the
// documents of a file, so that its buffers are reused.
type posBuilder struct {
	entries []posEntry
	// ends[i] is the end of the entries below entries[i] (exclusive), or
	// -end-1 once the entry is superseded.
	ends       []int
	superseded bool
	counts     []int // buffer of sortEntries
}

func (b *posBuilder) reset() {
	b.entries = b.entries[:0]
	b.ends = b.ends[:0]
	b.superseded = false
}

// add opens an entry for a node whose position is set by set once the
// entries below it are added.
func (b *posBuilder) add(h uint64) int {
	b.entries = append(b.entries, posEntry{hash: h})
	b.ends = append(b.ends, 0)
	return len(b.entries) - 1
}

func (b *posBuilder) set(i int, p analyzer.Position) {
	b.entries[i].line = clampUint32(p.Line)
	b.entries[i].col = clampUint32(p.Column)
	b.ends[i] = len(b.entries)
}

func clampUint32(n int) uint32 {
	return uint32(min(max(n, 0), 1<<32-1))
}

func (b *posBuilder) end(i int) int {
	if e := b.ends[i]; e < 0 {
		return -e - 1
	}
	return b.ends[i]
}

// supersede drops entry i and the entries below it.
func (b *posBuilder) supersede(i int) {
	b.superseded = true
	end := b.end(i)
	for j := i; j < end; j++ {
		if b.ends[j] >= 0 {
			b.ends[j] = -b.ends[j] - 1
		}
	}
}

// posMapping finds the entries of one mapping's keys, to supersede the value
// of a key that comes again.
type posMapping struct {
	start int            // index of the first entry of the mapping's keys
	index map[uint64]int // live key entries by hash; built on first use
}

// previous returns the live entry of the mapping's key with hash h, or -1.
func (b *posBuilder) previous(m *posMapping, h uint64) int {
	if m.index == nil {
		m.index = map[uint64]int{}
		for i := m.start; i < len(b.entries); i = b.end(i) {
			if b.ends[i] >= 0 {
				m.index[b.entries[i].hash] = i
			}
		}
	}
	if i, ok := m.index[h]; ok && b.ends[i] >= 0 {
		return i
	}
	return -1
}

// added records the entry i of the mapping's key with hash h.
func (b *posBuilder) added(m *posMapping, h uint64, i int) {
	if m.index != nil {
		m.index[h] = i
	}
}

// build returns the document's Positions; root is its root value's position.
func (b *posBuilder) build(root analyzer.Position) *Positions {
	src := b.entries
	if b.superseded {
		n := 0
		for i, e := range b.entries {
			if b.ends[i] >= 0 {
				src[n] = e
				n++
			}
		}
		src = src[:n]
	}
	entries := make([]posEntry, len(src))
	b.counts = sortEntries(entries, src, b.counts)
	return &Positions{root: root, entries: entries}
}

// sortEntries writes src sorted by hash into dst, of the same length: a
// counting sort on the top bits of the hash, which are uniform, puts every
// entry into its bucket, and an insertion sort orders the few in each. It
// takes a quarter of the time of a comparison sort. counts is a buffer for
// the buckets, returned for reuse.
func sortEntries(dst, src []posEntry, counts []int) []int {
	if len(src) < 64 {
		copy(dst, src)
	} else {
		bits := uint(bitsFor(len(src)))
		counts = slices.Grow(counts[:0], 1<<bits+1)[:1<<bits+1]
		clear(counts)
		shift := 64 - bits
		for _, e := range src {
			counts[e.hash>>shift+1]++
		}
		for i := 1; i < len(counts); i++ {
			counts[i] += counts[i-1]
		}
		for _, e := range src {
			k := e.hash >> shift
			dst[counts[k]] = e
			counts[k]++
		}
	}
	for i := 1; i < len(dst); i++ {
		e := dst[i]
		j := i
		for j > 0 && dst[j-1].hash > e.hash {
			dst[j] = dst[j-1]
			j--
		}
		dst[j] = e
	}
	return counts
}

// bitsFor is the number of bucket bits for n entries: about one entry per
// bucket, at most 2^16 buckets.
func bitsFor(n int) int {
	bits := 1
	for bits < 16 && 1<<bits < n {
		bits++
	}
	return bits
}
