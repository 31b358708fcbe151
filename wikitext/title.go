package wikitext

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Markers the cleaning pass leaves in the text. Neither can appear in a
// valid title, and neither is a brace or bracket, so both break runs of
// them.
const (
	// commentMarker replaces an HTML comment and the include-control tags.
	// It is deleted from names before they are read as titles, as MediaWiki
	// drops comments before it reads a template name.
	commentMarker = '\x01'
	// stripMarker replaces an element whose content the parser must not
	// read (nowiki, pre, math, ...). A name that contains one is invalid,
	// as a MediaWiki title that contains a strip marker is.
	stripMarker = '\x7f'
)

// maxNameBytes bounds the raw text of a name Parse reads as a title. A
// MediaWiki title has at most 255 bytes after its namespace; the raw text
// may be longer by whitespace and character references, not by this much.
const maxNameBytes = 4096

// maxDBKeyBytes is MediaWiki's limit on a title's database key.
const maxDBKeyBytes = 255

// title is a parsed title.
type title struct {
	ns        Namespace
	dbkey     string // '_' for spaces, first letter upper-cased
	colon     bool   // the text began with ':' (a link, never an inclusion)
	interwiki bool   // the title is on another wiki; ns and dbkey are unset
}

// phpSpace is the set of bytes PHP's trim() removes.
const phpSpace = " \t\n\r\x00\x0b"

// parseTitle reads s as MediaWiki's TitleParser reads the text of a link or
// transclusion, with namespace def when s names none. ok is false for an
// invalid title, an interwiki title and a bare fragment ([[#section]]).
func (r *run) parseTitle(s string, def Namespace) (t title, ok bool) {
	t, ok = r.parseAnyTitle(s, def)
	return t, ok && !t.interwiki
}

// parseAnyTitle is parseTitle, also accepting interwiki titles.
func (r *run) parseAnyTitle(s string, def Namespace) (title, bool) {
	t := title{ns: def}
	if len(s) > maxNameBytes {
		return t, false
	}
	if strings.IndexByte(s, commentMarker) >= 0 {
		s = strings.ReplaceAll(s, string(rune(commentMarker)), "")
	}
	s = strings.Trim(s, phpSpace)
	if strings.IndexByte(s, '&') >= 0 {
		s = decodeReferences(s)
	}
	key, ok := spacesToUnderscores(s)
	if !ok {
		return t, false
	}
	if strings.HasPrefix(key, ":") {
		t.colon = true
		t.ns = NamespaceMain
		key = strings.Trim(key[1:], "_")
	}
	if i := strings.IndexByte(key, ':'); i > 0 {
		prefix := strings.TrimRight(key[:i], "_")
		rest := strings.TrimLeft(key[i+1:], "_")
		if ns, found := r.opts.namespaceByName(prefix); found && prefix != "" {
			t.ns = ns
			key = rest
		} else if prefix != "" && r.isInterwiki(prefix) {
			t.interwiki = true
			return t, true
		}
	}
	if i := strings.IndexByte(key, '#'); i >= 0 {
		key = strings.TrimRight(key[:i], "_")
	}
	if key == "" {
		return t, false // a bare fragment, or a namespace alone
	}
	if !legalDBKey(key, t.ns) {
		return t, false
	}
	t.dbkey = upperFirst(key)
	return t, len(t.dbkey) <= maxDBKeyBytes || t.ns == NamespaceSpecial
}

// prefixed returns t as a prefixed title in database key form, such as
// Template:Infobox_person.
func (r *run) prefixed(t title) string {
	name, _ := r.opts.namespaceName(t.ns)
	if name == "" {
		return t.dbkey
	}
	return name + ":" + t.dbkey
}

// maxReferenceBytes bounds the length of a character reference.
const maxReferenceBytes = 40

// decodeReferences decodes HTML character references (&amp;, &#233;,
// &#x2013;), as MediaWiki does to the text of a title. Only references
// ending in ';' are decoded, as in MediaWiki.
func decodeReferences(s string) string {
	if strings.IndexByte(s, ';') < 0 {
		return s
	}
	var b strings.Builder
	for {
		amp := strings.IndexByte(s, '&')
		if amp < 0 {
			break
		}
		// A reference is short; looking further would make a run of '&'
		// quadratic.
		semi := strings.IndexByte(s[amp:min(len(s), amp+maxReferenceBytes)], ';')
		if semi < 0 || strings.IndexByte(s[amp+1:amp+semi], '&') >= 0 {
			// Not a reference: move on past this '&'.
			b.WriteString(s[:amp+1])
			s = s[amp+1:]
			continue
		}
		ref := s[amp : amp+semi+1]
		b.WriteString(s[:amp])
		b.WriteString(html.UnescapeString(ref))
		s = s[amp+len(ref):]
	}
	b.WriteString(s)
	return b.String()
}

// spacesToUnderscores turns runs of whitespace and '_' into one '_', trims
// them at both ends and drops the directional marks MediaWiki drops. It
// reports false for invalid UTF-8 and U+FFFD, which MediaWiki rejects in
// titles.
func spacesToUnderscores(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	pending := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if c == ' ' || c == '_' {
				pending = len(b) > 0
				continue
			}
			if pending {
				b = append(b, '_')
				pending = false
			}
			b = append(b, c)
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case c == utf8.RuneError:
			return "", false
		case isTitleSpace(c):
			pending = len(b) > 0
			continue
		case c == 0x200E || c == 0x200F || c >= 0x202A && c <= 0x202E:
			continue
		}
		if pending {
			b = append(b, '_')
			pending = false
		}
		b = utf8.AppendRune(b, c)
	}
	return string(b), true
}

// isTitleSpace reports whether MediaWiki folds c into '_' in titles.
func isTitleSpace(c rune) bool {
	switch {
	case c == ' ', c == 0xA0, c == 0x1680, c == 0x180E, c >= 0x2000 && c <= 0x200A,
		c == 0x2028, c == 0x2029, c == 0x202F, c == 0x205F, c == 0x3000:
		return true
	}
	return false
}

// legalDBKey applies MediaWiki's remaining checks to a database key without
// namespace: legal characters only, no %XX escapes or character
// references, no relative path, no ~~~, no leading ':' outside the main
// namespace.
func legalDBKey(key string, ns Namespace) bool {
	if ns != NamespaceMain && key[0] == ':' {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c < 0x20, c == 0x7f, strings.IndexByte("#<>[]{}|", c) >= 0:
			return false
		case c == '%' && i+2 < len(key) && isHex(key[i+1]) && isHex(key[i+2]):
			return false
		case c == '&' && isReference(key[i:]):
			return false
		}
	}
	if strings.IndexByte(key, '.') >= 0 {
		if key == "." || key == ".." || strings.HasPrefix(key, "./") || strings.HasPrefix(key, "../") ||
			strings.Contains(key, "/./") || strings.Contains(key, "/../") ||
			strings.HasSuffix(key, "/.") || strings.HasSuffix(key, "/..") {
			return false
		}
	}
	return !strings.Contains(key, "~~~")
}

// isReference reports whether s starts with something MediaWiki reads as
// a character reference: &name; &#123; or &#x1F;.
func isReference(s string) bool {
	i := 1
	hex := false
	if i < len(s) && s[i] == '#' {
		i++
		if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
			hex = true
			i++
		}
	}
	start := i
	for i < len(s) && i-start < 64 {
		c := s[i]
		ok := c >= '0' && c <= '9' || hex && isHex(c) ||
			start == 1 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80)
		if !ok {
			break
		}
		i++
	}
	return i > start && i < len(s) && s[i] == ';'
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// upperFirst upper-cases the first character of s, as MediaWiki does to
// every title under its default $wgCapitalLinks.
func upperFirst(s string) string {
	c, size := utf8.DecodeRuneInString(s)
	u := unicode.ToUpper(c)
	if u == c {
		return s
	}
	return string(u) + s[size:]
}

// percentDecode decodes %XX escapes as PHP's rawurldecode does; a '%' not
// followed by two hex digits stays.
func percentDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// unhex returns the value of the hexadecimal digit c.
func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// subpageTarget resolves a relative link target ("/Sub", "../Sibling")
// against the page, as MediaWiki's Linker::normalizeSubpageLink does on
// pages whose namespace has subpages. It returns target unchanged when it
// is not relative or cannot be resolved.
func (r *run) subpageTarget(target string) string {
	if r.self == "" || !hasSubpages(r.selfNS) {
		return target
	}
	suffix := ""
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target, suffix = target[:i], target[i:]
	}
	target = strings.Trim(target, phpSpace)
	if strings.HasPrefix(target, "/") {
		rest := strings.TrimRight(target[1:], "/")
		return r.self + "/" + strings.Trim(rest, phpSpace) + suffix
	}
	up := 0
	rest := target
	for strings.HasPrefix(rest, "../") {
		up++
		rest = rest[3:]
	}
	if up == 0 {
		return target + suffix
	}
	parts := strings.Split(r.self, "/")
	if len(parts) <= up {
		return target + suffix // not above the root page
	}
	out := strings.Join(parts[:len(parts)-up], "/")
	if rest = strings.Trim(strings.TrimRight(rest, "/"), phpSpace); rest != "" {
		out += "/" + rest
	}
	return out + suffix
}
