package wikitext

import (
	"strings"
)

// The cleaning pass does what MediaWiki's preprocessor does before it
// matches braces: it drops comments, hides the content of extension tags
// that is not wikitext (nowiki, pre, math, syntaxhighlight, ...), and reads
// the tags whose content names dependencies in its own syntax (gallery,
// imagemap, templatestyles). Its output is the text the scanner reads.

// tagKind says what the cleaning pass does with an element.
type tagKind uint8

const (
	// tagOther is any tag the pass leaves alone: its content is wikitext
	// (ref, poem, div, ...) or it is not a tag at all.
	tagOther tagKind = iota
	// tagInclude is includeonly, noinclude or onlyinclude. The tags go and
	// the content stays, so a template's set covers both what it shows on
	// its own page and what it gives the pages that transclude it.
	tagInclude
	// tagOpaque hides its content: nothing in it is a dependency.
	tagOpaque
	// tagGallery lists files, one a line, with wikitext captions.
	tagGallery
	// tagImagemap names a file on its first line and links on the others.
	tagImagemap
	// tagTemplateStyles transcludes the style sheet its src names.
	tagTemplateStyles
)

// kindOfTag returns the kind of the tag named lower (lower case).
func kindOfTag(lower string) tagKind {
	switch lower {
	case "includeonly", "noinclude", "onlyinclude":
		return tagInclude
	case "nowiki", "pre", "syntaxhighlight", "source", "math", "chem", "ce", "score",
		"timeline", "graph", "templatedata", "hiero", "mapframe", "maplink", "charinsert",
		"inputbox", "categorytree", "dynamicpagelist":
		return tagOpaque
	case "gallery":
		return tagGallery
	case "imagemap":
		return tagImagemap
	case "templatestyles":
		return tagTemplateStyles
	}
	return tagOther
}

// maxTagNameBytes bounds the tag names the pass looks up.
const maxTagNameBytes = 20

// maxCleanDepth bounds the nesting of element contents the pass reads
// (gallery and imagemap). A closed element cannot contain another closed
// element of its own kind, so real text never comes near it.
const maxCleanDepth = 4

// cleaner holds the state of one cleaning pass over src. Its caches make
// the pass linear: MediaWiki keeps the same ones for the same reason.
type cleaner struct {
	r     *run
	src   string
	depth int
	// The '>' found by the last search, which started at gtFrom; -1 if
	// that search found none.
	gtFrom, gtAt int
	// closes caches, per tag name, the last search for its closing tag.
	closes map[string]closeHit
}

// closeHit is the result of a search for </name> from offset from:
// [start, end) is the closing tag, or start is -1 when there is none.
type closeHit struct {
	from, start, end int
}

// clean returns src with comments and opaque elements replaced by markers
// and the special elements read. depth counts the enclosing elements.
func (r *run) clean(src string, depth int) []byte {
	c := cleaner{r: r, src: src, depth: depth, gtFrom: len(src) + 1}
	out := make([]byte, 0, len(src))
	copied := 0
	for i := 0; i < len(src); {
		j := strings.IndexByte(src[i:], '<')
		if j < 0 {
			break
		}
		lt := i + j
		end, marker, ok := c.markup(lt)
		if !ok {
			i = lt + 1
			continue
		}
		out = appendText(out, src[copied:lt])
		out = append(out, marker)
		i, copied = end, end
	}
	return appendText(out, src[copied:])
}

// appendText appends s to out, turning any commentMarker byte of the input
// into a stripMarker, so that only the pass's own markers vanish from names.
func appendText(out []byte, s string) []byte {
	for {
		k := strings.IndexByte(s, commentMarker)
		if k < 0 {
			return append(out, s...)
		}
		out = append(out, s[:k]...)
		out = append(out, stripMarker)
		s = s[k+1:]
	}
}

// markup reads the markup at src[lt] == '<'. If it is a comment or a tag
// the pass handles, it returns the offset after it and the marker that
// replaces it.
func (c *cleaner) markup(lt int) (end int, marker byte, ok bool) {
	s := c.src
	if strings.HasPrefix(s[lt:], "<!--") {
		// An unclosed comment runs to the end of the text, as in MediaWiki.
		k := strings.Index(s[lt+4:], "-->")
		if k < 0 {
			return len(s), commentMarker, true
		}
		return lt + 4 + k + 3, commentMarker, true
	}
	i := lt + 1
	closing := i < len(s) && s[i] == '/'
	if closing {
		i++
	}
	nameEnd := i
	for nameEnd < len(s) && nameEnd-i <= maxTagNameBytes && isAlnum(s[nameEnd]) {
		nameEnd++
	}
	if nameEnd == i || nameEnd-i > maxTagNameBytes || nameEnd == len(s) {
		return 0, 0, false
	}
	name := strings.ToLower(s[i:nameEnd])
	kind := kindOfTag(name)
	if kind == tagOther || !endsTagName(s, nameEnd) {
		return 0, 0, false
	}
	gt := c.nextGT(nameEnd)
	if gt < 0 {
		return 0, 0, false
	}
	if kind == tagInclude {
		return gt + 1, commentMarker, true
	}
	if closing {
		return 0, 0, false // a stray closing tag is text
	}
	attrs, selfClosing := strings.CutSuffix(s[nameEnd:gt], "/")
	content, end := "", gt+1
	if !selfClosing {
		start, closeEnd := c.findClose(name, gt+1)
		if start < 0 {
			// Without its closing tag the opening tag is literal text; what
			// follows is wikitext again.
			return gt + 1, stripMarker, true
		}
		content, end = s[gt+1:start], closeEnd
	}
	if c.depth < maxCleanDepth {
		switch kind {
		case tagGallery:
			c.r.gallery(content, c.depth+1)
		case tagImagemap:
			c.r.imagemap(content, c.depth+1)
		case tagTemplateStyles:
			c.r.templateStyles(attrs)
		}
	}
	return end, stripMarker, true
}

// endsTagName reports whether the tag name ending at s[i] is followed by
// what MediaWiki requires: whitespace, '>' or "/>".
func endsTagName(s string, i int) bool {
	switch s[i] {
	case '>', ' ', '\t', '\n', '\r', '\f':
		return true
	case '/':
		return i+1 < len(s) && s[i+1] == '>'
	}
	return false
}

// nextGT returns the offset of the first '>' at or after from, or -1.
func (c *cleaner) nextGT(from int) int {
	if c.gtFrom <= from && (c.gtAt < 0 || c.gtAt >= from) {
		return c.gtAt
	}
	c.gtFrom, c.gtAt = from, -1
	if k := strings.IndexByte(c.src[from:], '>'); k >= 0 {
		c.gtAt = from + k
	}
	return c.gtAt
}

// findClose returns the offsets [start, end) of the first </name> (any
// case, whitespace before '>' allowed) at or after from, or -1, -1.
func (c *cleaner) findClose(name string, from int) (start, end int) {
	if h, ok := c.closes[name]; ok && h.from <= from && (h.start < 0 || h.start >= from) {
		return h.start, h.end
	}
	start, end = searchClose(c.src, from, name)
	if c.closes == nil {
		c.closes = map[string]closeHit{}
	}
	c.closes[name] = closeHit{from: from, start: start, end: end}
	return start, end
}

// searchClose implements findClose without the cache.
func searchClose(s string, from int, name string) (start, end int) {
	for {
		k := strings.Index(s[from:], "</")
		if k < 0 {
			return -1, -1
		}
		p := from + k + 2
		if len(s)-p >= len(name) && strings.EqualFold(s[p:p+len(name)], name) {
			q := p + len(name)
			for q < len(s) && isSpace(s[q]) {
				q++
			}
			if q < len(s) && s[q] == '>' {
				return from + k, q + 1
			}
		}
		from = p
	}
}

// gallery reads the content of <gallery>: one file a line, with an optional
// caption and options after '|'. A line without a namespace names a file.
func (r *run) gallery(content string, depth int) {
	text := string(r.clean(content, depth))
	for line := range strings.SplitSeq(text, "\n") {
		name, rest, _ := strings.Cut(strings.Trim(line, phpSpace), "|")
		t, ok := r.parseTitle(percentDecode(name), NamespaceFile)
		if !ok || t.ns != NamespaceFile {
			continue
		}
		r.fileLine(t, rest)
	}
}

// imagemap reads the content of <imagemap>: the image on the first line,
// then shapes with links; lines starting with '#' are comments.
func (r *run) imagemap(content string, depth int) {
	text := string(r.clean(content, depth))
	first := true
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.Trim(line, phpSpace+string(rune(commentMarker)))
		switch {
		case line == "" || line[0] == '#':
			continue
		case first:
			first = false
			name, rest, _ := strings.Cut(line, "|")
			if t, ok := r.parseTitle(name, NamespaceMain); ok && t.ns == NamespaceFile {
				r.fileLine(t, rest)
			}
		default:
			r.scan([]byte(line))
		}
	}
}

// fileLine records the file t of a gallery or imagemap line and reads its
// options and caption as those of [[File:...|options]], where they may
// hold links (link=Target, [[Target]]) and templates.
func (r *run) fileLine(t title, options string) {
	doc := make([]byte, 0, len(options)+len(t.dbkey)+16)
	doc = append(doc, "[["...)
	doc = append(doc, r.prefixed(t)...)
	doc = append(doc, '|')
	doc = append(doc, options...)
	doc = append(doc, "]]"...)
	r.scan(doc)
}

// templateStyles records the page <templatestyles src="..."/> transcludes:
// src in the Template namespace unless it names another.
func (r *run) templateStyles(attrs string) {
	src, ok := attrValue(attrs, "src")
	if !ok || strings.IndexByte(src, commentMarker) >= 0 {
		return
	}
	if t, ok := r.parseTitle(src, NamespaceTemplate); ok && t.ns != NamespaceSpecial && t.ns != NamespaceMedia {
		r.templates[r.prefixed(t)] = struct{}{}
	}
}

// attrValue returns the value of attribute name (any case) in the
// attribute text of a tag.
func attrValue(attrs, name string) (string, bool) {
	for i := 0; i < len(attrs); {
		for i < len(attrs) && (isSpace(attrs[i]) || attrs[i] == '/') {
			i++
		}
		start := i
		for i < len(attrs) && !isSpace(attrs[i]) && attrs[i] != '=' && attrs[i] != '/' {
			i++
		}
		key := attrs[start:i]
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		if i >= len(attrs) || attrs[i] != '=' {
			continue
		}
		i++
		for i < len(attrs) && isSpace(attrs[i]) {
			i++
		}
		var value string
		if i < len(attrs) && (attrs[i] == '"' || attrs[i] == '\'') {
			quote := attrs[i]
			k := strings.IndexByte(attrs[i+1:], quote)
			if k < 0 {
				k = len(attrs) - i - 1
			}
			value = attrs[i+1 : i+1+k]
			i += k + 2
		} else {
			vs := i
			for i < len(attrs) && !isSpace(attrs[i]) {
				i++
			}
			value = attrs[vs:i]
		}
		if strings.EqualFold(key, name) {
			return value, true
		}
	}
	return "", false
}

// isSpace reports whether c is ASCII whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
