package pebblestore

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/ripplestream/ripple/deps"
)

// Key families; see the package documentation.
const (
	familyVersion = 'v'
	familyForward = 'f'
	familyReverse = 'r'
	sep           = 0x00
	// formatVersion 2 keys uses_file reverse entries by file first, as
	// uses_entity ones (format 1 had the wiki first; see migrate).
	formatVersion = 2
	cursorPrefix  = "pb1."
)

// forwardKey returns 'f' wiki 0 title.
func forwardKey(wiki, title string) []byte {
	k := make([]byte, 0, 2+len(wiki)+len(title))
	k = append(k, familyForward)
	k = append(k, wiki...)
	k = append(k, sep)
	return append(k, title...)
}

// reverseBase returns the part of a reverse key that names the target:
// 'r' kind wiki 0 target 0 for wiki-local edges, 'r' kind target 0 for the
// deps.EdgeKind.CrossWiki ones (uses_entity, uses_file), so that one prefix
// scan finds the dependents on every wiki.
// The dependent's position follows it (see positionKey).
func reverseBase(dst []byte, kind deps.EdgeKind, wiki, target string) []byte {
	dst = append(dst, familyReverse, byte(kind))
	if !kind.CrossWiki() {
		dst = append(dst, wiki...)
		dst = append(dst, sep)
	}
	dst = append(dst, target...)
	return append(dst, sep)
}

// appendPosition appends the dependent's part of a reverse key to base:
// its title for wiki-local edges, wiki 0 title for cross-wiki ones.
func appendPosition(base []byte, kind deps.EdgeKind, wiki, title string) []byte {
	if kind.CrossWiki() {
		base = append(base, wiki...)
		base = append(base, sep)
	}
	return append(base, title...)
}

// reverseKey returns the reverse key of the edge from (wiki, title) to target.
func reverseKey(kind deps.EdgeKind, wiki, title, target string) []byte {
	k := make([]byte, 0, 4+2*len(wiki)+len(title)+len(target))
	return appendPosition(reverseBase(k, kind, wiki, target), kind, wiki, title)
}

// splitPosition parses the dependent's part of a reverse key (what follows
// reverseBase); queryWiki is the wiki of wiki-local keys.
func splitPosition(pos []byte, kind deps.EdgeKind, queryWiki string) (wiki, title string, err error) {
	if !kind.CrossWiki() {
		return queryWiki, string(pos), nil
	}
	i := bytes.IndexByte(pos, sep)
	if i < 0 {
		return "", "", fmt.Errorf("pebblestore: corrupt reverse key position %q", pos)
	}
	return string(pos[:i]), string(pos[i+1:]), nil
}

// prefixEnd returns the smallest key greater than every key with prefix p,
// which ends in sep.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	end[len(end)-1]++
	return end
}

// encodeCursor returns the cursor that resumes after dependent (wiki, title).
func encodeCursor(wiki, title string) deps.Cursor {
	return deps.Cursor(cursorPrefix + base64.RawURLEncoding.EncodeToString([]byte(wiki+"\x00"+title)))
}

// decodeCursor parses a cursor made by encodeCursor.
func decodeCursor(c deps.Cursor) (wiki, title string, err error) {
	s, ok := strings.CutPrefix(string(c), cursorPrefix)
	if !ok {
		return "", "", fmt.Errorf("%w: %q is not a Pebble store cursor", deps.ErrBadCursor, c)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", deps.ErrBadCursor, c, err)
	}
	wiki, title, ok = strings.Cut(string(raw), "\x00")
	if !ok || deps.ValidateWiki(wiki) != nil || title == "" || strings.ContainsRune(title, 0) {
		return "", "", fmt.Errorf("%w: %q does not name a page", deps.ErrBadCursor, c)
	}
	return wiki, title, nil
}
