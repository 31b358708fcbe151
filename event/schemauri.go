package event

import (
	"fmt"
	"strings"
)

// Versions that name a schema by role rather than by number.
const (
	// VersionLatest names the highest materialized version of a title.
	VersionLatest = "latest"
	// VersionCurrent names a title's current.yaml: the unmaterialized source
	// of its next version, with $refs to fragments.
	VersionCurrent = "current"
)

// ParseSchemaURI splits a schema URI such as /mediawiki/page/change/1.2.0
// into its title (mediawiki/page/change) and version (1.2.0). It accepts a
// .yaml or .json ending, a missing leading slash, and the versions latest and
// current. Errors wrap [ErrBadSchemaURI].
func ParseSchemaURI(uri string) (title, version string, err error) {
	s := strings.TrimPrefix(uri, "/")
	if trimmed, ok := strings.CutSuffix(s, ".yaml"); ok {
		s = trimmed
	} else if trimmed, ok := strings.CutSuffix(s, ".json"); ok {
		s = trimmed
	}
	i := strings.LastIndexByte(s, '/')
	if i <= 0 {
		return "", "", fmt.Errorf("%w %q: want /<title>/<version>", ErrBadSchemaURI, uri)
	}
	title, version = s[:i], s[i+1:]
	for seg := range strings.SplitSeq(title, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", "", fmt.Errorf("%w %q: bad title %q", ErrBadSchemaURI, uri, title)
		}
	}
	if version != VersionLatest && version != VersionCurrent && !isSemver(version) {
		return "", "", fmt.Errorf("%w %q: version %q is not X.Y.Z, latest or current", ErrBadSchemaURI, uri, version)
	}
	return title, version, nil
}

// isSemver reports whether v is a plain X.Y.Z version.
func isSemver(v string) bool {
	_, ok := parseSemver(v)
	return ok
}

// parseSemver parses a plain X.Y.Z version (no pre-release or build).
func parseSemver(v string) ([3]int, bool) {
	var out [3]int
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return out, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 9 || (len(p) > 1 && p[0] == '0') {
			return out, false
		}
		n := 0
		for _, c := range p {
			if c < '0' || c > '9' {
				return out, false
			}
			n = n*10 + int(c-'0')
		}
		out[i] = n
	}
	return out, true
}

// compareSemver orders two versions that parseSemver accepted.
func compareSemver(a, b string) int {
	va, _ := parseSemver(a)
	vb, _ := parseSemver(b)
	for i := range va {
		if va[i] != vb[i] {
			if va[i] < vb[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
