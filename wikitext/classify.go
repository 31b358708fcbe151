package wikitext

import (
	"strings"
)

// template records what a closed {{...}} frame transcludes, following
// MediaWiki's Parser::braceSubstitution: modifiers (subst:, safesubst:,
// msgnw:, msg:, raw:), then variables, then parser functions, then a page in
// the Template namespace unless the name gives another.
func (r *run) template(src []byte, f *frame) {
	raw, ok := f.name.text(src)
	if !ok {
		return
	}
	name := strings.Trim(stripComments(raw), phpSpace)
	for modified := true; modified; {
		if hasPrefixFold(name, "subst:") {
			return // left in saved text, subst: renders as text
		}
		modified = false
		// safesubst: outside substitution transcludes normally; msgnw: and
		// msg: (obsolete) and raw: change how, not what.
		for _, m := range []string{"safesubst:", "msgnw:", "msg:", "raw:"} {
			if hasPrefixFold(name, m) {
				name, modified = strings.TrimLeft(name[len(m):], phpSpace), true
				break
			}
		}
	}
	if !f.hasArgs() && isMagicWord(name) {
		return
	}
	if fn, arg, ok := strings.Cut(name, ":"); ok {
		fn = strings.Trim(fn, phpSpace)
		if strings.HasPrefix(fn, "#") {
			r.parserFunction(strings.ToLower(fn), strings.Trim(arg, phpSpace), src, f)
			return
		}
		if isMagicWord(fn) || isFunctionName(strings.ToLower(fn)) {
			return
		}
	}
	if strings.HasPrefix(name, "#") {
		return // an unknown parser function, or a bare fragment
	}
	t, ok := r.parseTitle(r.subpageTarget(name), NamespaceTemplate)
	if !ok || t.ns == NamespaceSpecial || t.ns == NamespaceMedia {
		return
	}
	r.templates[r.prefixed(t)] = struct{}{}
}

// parserFunction records what a {{#fn:arg|...}} call depends on: the
// module of #invoke, the entity aspects of Wikibase's #property and
// #statements. Other parser functions depend on nothing themselves; the
// templates and links in their arguments were read as frames.
func (r *run) parserFunction(fn, arg string, src []byte, f *frame) {
	switch fn {
	case "#invoke":
		// Scribunto reads the name as Title::makeTitleSafe(NS_MODULE, arg)
		// does: {{#invoke:Module:X|f}} is Module:Module:X.
		if t, ok := r.parseTitle("Module:"+arg, NamespaceMain); ok && t.ns == NamespaceModule {
			r.templates[r.prefixed(t)] = struct{}{}
		}
	case "#property", "#statements":
		r.property(arg, src, f)
	}
}

// property records the statement usage of {{#property:P|from=ID}} and
// {{#statements:P|from=ID}}: aspect C.P of entity ID, or of the connected
// entity without from=. A property given by label rather than id uses
// aspect C (any statement): Parse cannot resolve the label.
func (r *run) property(prop string, src []byte, f *frame) {
	from, found, dynamic := f.keyValueText(src)
	if dynamic {
		return
	}
	id := r.connected
	if from = stripComments(from); found && from != "" {
		id = normalizeEntityID(from)
	}
	if id == "" || prop == "" {
		return
	}
	aspect := "C"
	if p := normalizeEntityID(prop); p != "" && p[0] == 'P' && !strings.Contains(p, "-") {
		aspect = "C." + p
	}
	r.addEntity(id, aspect)
}

// link records what a closed [[...]] frame names: a link, a file, a
// category, or nothing (interwiki, special pages, bare fragments, URLs).
func (r *run) link(src []byte, f *frame) {
	raw, ok := f.name.text(src)
	if !ok {
		return
	}
	target := strings.TrimLeft(stripComments(raw), " ")
	if hasURLProtocol(target) {
		return // MediaWiki does not make [[http://...]] a link
	}
	t, ok := r.parseTitle(r.subpageTarget(percentDecode(target)), NamespaceMain)
	if !ok {
		return
	}
	switch {
	case t.ns == NamespaceMedia:
		r.files[r.prefixed(title{ns: NamespaceFile, dbkey: t.dbkey})] = struct{}{}
	case t.ns == NamespaceFile && !t.colon:
		r.files[r.prefixed(t)] = struct{}{}
		r.fileOptions(src, f)
	case t.ns == NamespaceCategory && !t.colon:
		r.categories[r.prefixed(t)] = struct{}{}
	case t.ns == NamespaceSpecial:
	default:
		r.addLink(t)
	}
}

// fileOptions records the link of a file's link= option, which MediaWiki
// registers as a link of the page.
func (r *run) fileOptions(src []byte, f *frame) {
	target, found, dynamic := f.keyValueText(src)
	if !found || dynamic {
		return
	}
	target = strings.TrimLeft(stripComments(target), " ")
	if target == "" || hasURLProtocol(target) {
		return
	}
	if t, ok := r.parseTitle(target, NamespaceMain); ok && t.ns != NamespaceSpecial && t.ns != NamespaceMedia {
		r.addLink(t)
	}
}

// fileArgument records an argument of a template, parser function or
// template argument whose whole value is the name of a media file
// (image = Portrait.jpg, or File:Portrait.jpg): infoboxes render such
// values as images, and MediaWiki records the file as used by the page
// that passes it, while Parse, which does not expand templates, would
// never see it otherwise.
func (r *run) fileArgument(arg []byte) {
	if len(arg) > maxNameBytes || !hasMediaExtension(arg) {
		return
	}
	value := string(arg)
	if _, v, named := strings.Cut(value, "="); named {
		value = v
	}
	value = strings.Trim(stripComments(value), phpSpace)
	if hasURLProtocol(value) {
		return // url = https://example.org/report.pdf
	}
	if t, ok := r.parseTitle(value, NamespaceFile); ok && t.ns == NamespaceFile {
		r.files[r.prefixed(t)] = struct{}{}
	}
}

// hasMediaExtension reports whether arg, without trailing whitespace, ends
// in the extension of a file type Wikimedia wikis accept.
func hasMediaExtension(arg []byte) bool {
	end := len(arg)
	for end > 0 && (isSpace(arg[end-1]) || arg[end-1] == commentMarker) {
		end--
	}
	dot := -1
	for i := end - 1; i >= 0 && i >= end-6; i-- {
		if arg[i] == '.' {
			dot = i
			break
		}
	}
	if dot < 0 {
		return false
	}
	switch strings.ToLower(string(arg[dot+1 : end])) {
	case "png", "gif", "jpg", "jpeg", "webp", "svg", "tif", "tiff", "xcf", "pdf", "djvu",
		"ogg", "ogv", "oga", "opus", "flac", "wav", "webm", "mp3", "mid", "midi", "mpg", "mpeg", "stl":
		return true
	}
	return false
}

// addLink records a link to t unless t is the page itself: MediaWiki
// renders a self-link as bold text and does not record it.
func (r *run) addLink(t title) {
	if p := r.prefixed(t); p != r.self {
		r.links[p] = struct{}{}
	}
}

// addEntity records the use of aspect of entity id.
func (r *run) addEntity(id, aspect string) {
	aspects := r.entities[id]
	if aspects == nil {
		aspects = map[string]struct{}{}
		r.entities[id] = aspects
	}
	aspects[aspect] = struct{}{}
}

// maxEntityIDBytes bounds an entity id, as the event schemas do.
const maxEntityIDBytes = 64

// normalizeEntityID returns s, trimmed and upper-cased, if it is a Wikibase
// entity id (Q42, P31, L7, L7-F1), or "".
func normalizeEntityID(s string) string {
	s = strings.ToUpper(strings.Trim(s, phpSpace))
	if len(s) > maxEntityIDBytes {
		return ""
	}
	rest, ok := entityIDPart(s)
	if ok && rest != "" {
		if rest[0] != '-' {
			return ""
		}
		rest, ok = entityIDPart(rest[1:])
	}
	if !ok || rest != "" {
		return ""
	}
	return s
}

// entityIDPart consumes [A-Z][1-9][0-9]* from the front of s.
func entityIDPart(s string) (rest string, ok bool) {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < '1' || s[1] > '9' {
		return s, false
	}
	i := 2
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[i:], true
}

// stripComments removes the markers the cleaning pass left for comments.
func stripComments(s string) string {
	if strings.IndexByte(s, commentMarker) < 0 {
		return s
	}
	return strings.ReplaceAll(s, string(rune(commentMarker)), "")
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// hasURLProtocol reports whether s starts with one of the URL protocols of
// MediaWiki's default $wgUrlProtocols.
func hasURLProtocol(s string) bool {
	if strings.HasPrefix(s, "//") {
		return true
	}
	colon := strings.IndexByte(s, ':')
	if colon < 1 || colon > 10 {
		return false
	}
	switch strings.ToLower(s[:colon]) {
	case "bitcoin", "geo", "magnet", "mailto", "matrix", "news", "sip", "sips", "sms", "tel", "urn", "xmpp":
		return true
	case "ftp", "ftps", "git", "gopher", "http", "https", "irc", "ircs", "mms", "nntp", "redis",
		"sftp", "ssh", "svn", "telnet", "worldwind":
		return strings.HasPrefix(s[colon:], "://")
	}
	return false
}
