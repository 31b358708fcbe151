package wikitext

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// The include pass reads <noinclude>, <includeonly> and <onlyinclude> as
// MediaWiki's preprocessor does (Preprocessor_Hash, PTD_FOR_INCLUSION or
// not), and returns the text one of the two renderings reads:
//
//   - the page itself (view): <includeonly> elements go with their
//     content; <noinclude>, <onlyinclude> and their closing tags go, their
//     content stays;
//   - a page that transcludes it (inclusion): <noinclude> elements go with
//     their content; <includeonly> and </includeonly> go, their content
//     stays; and if the text holds both "<onlyinclude>" and
//     "</onlyinclude>", exactly so (case matters), only what lies between
//     an <onlyinclude> and the next </onlyinclude> stays, the rest going
//     as MediaWiki skips it: up to the next "<onlyinclude>", whatever it
//     holds.
//
// The tags are found as MediaWiki finds them: the name in any case,
// followed by whitespace, '>' or "/>", the tag running to the next '>'. An
// element closes at the first </name> (any case, whitespace before '>'),
// so elements do not nest. A self-closing one (<noinclude/>) is a tag
// alone. An element without its closing tag runs to the end of the text
// when its name is written in lower case, and is literal text otherwise.
// A '<' that starts no tag before the text's last '>' is text.
//
// Comments and the elements whose content the preprocessor does not read
// (nowiki, pre, ref, gallery, ... with their closing tag) are copied as
// they are: a <noinclude> in a comment or in <nowiki> is no tag. A tag
// name that is only a prefix (<noincludex>) is none either.

// inclusionMode selects the rendering the include pass prepares.
type inclusionMode bool

const (
	viewMode      inclusionMode = false // the page itself
	inclusionText inclusionMode = true  // the pages that transclude it
)

// hasIncludeTags reports whether text may hold an include tag, so that
// the include pass can be skipped: almost every article has none.
func hasIncludeTags(text string) bool {
	for i := 0; ; {
		j := strings.IndexByte(text[i:], '<')
		if j < 0 {
			return false
		}
		i += j + 1
		k := i
		if k < len(text) && text[k] == '/' {
			k++
		}
		for _, name := range []string{"noinclude", "includeonly", "onlyinclude"} {
			if len(text)-k >= len(name) && strings.EqualFold(text[k:k+len(name)], name) {
				return true
			}
		}
	}
}

// strippedElements are the elements whose content MediaWiki's
// preprocessor keeps as it is (its strip list: core and the usual
// extension tags), so that an include tag inside one is no tag.
var strippedElements = map[string]bool{
	"nowiki": true, "pre": true, "gallery": true, "indicator": true, "langconvert": true,
	"ref": true, "references": true, "poem": true, "section": true, "templatedata": true,
	"syntaxhighlight": true, "source": true, "math": true, "chem": true, "ce": true, "score": true,
	"timeline": true, "graph": true, "hiero": true, "mapframe": true, "maplink": true,
	"charinsert": true, "inputbox": true, "categorytree": true, "dynamicpagelist": true,
	"imagemap": true, "templatestyles": true,
}

// includeText returns text as the rendering mode reads it; see above.
func includeText(text string, mode inclusionMode) string {
	var out strings.Builder
	out.Grow(len(text))
	only := mode == inclusionText && strings.Contains(text, "<onlyinclude>") && strings.Contains(text, "</onlyinclude>")
	noMoreGT := false
	noClose := map[string]bool{} // lower-case names with no closing tag further on
	i, copied := 0, 0
	skipTo := func(j int) { // drop text[i:j]
		out.WriteString(text[copied:i])
		i, copied = j, j
	}
	findOnly := only
	for i < len(text) {
		if findOnly {
			k := strings.Index(text[i:], "<onlyinclude>")
			if k < 0 {
				skipTo(len(text))
				break
			}
			skipTo(i + k + len("<onlyinclude>"))
			findOnly = false
			continue
		}
		k := strings.IndexByte(text[i:], '<')
		if k < 0 {
			break
		}
		i += k
		if only && strings.HasPrefix(text[i:], "</onlyinclude>") {
			findOnly = true
			continue
		}
		if strings.HasPrefix(text[i:], "<!--") {
			end := strings.Index(text[i+4:], "-->")
			if end < 0 {
				i = len(text)
			} else {
				i += 4 + end + 3
			}
			continue
		}
		name, lower, ok := includeTagName(text, i+1, mode)
		if !ok {
			i++
			continue
		}
		gt := -1
		if !noMoreGT {
			if g := strings.IndexByte(text[i+1+len(name):], '>'); g >= 0 {
				gt = i + 1 + len(name) + g
			}
		}
		if gt < 0 {
			noMoreGT = true
			i++
			continue
		}
		if ignoredTag(lower, mode) {
			skipTo(gt + 1)
			continue
		}
		end := gt + 1 // past the element
		if text[gt-1] != '/' {
			start, closeEnd := -1, -1
			if !noClose[lower] {
				start, closeEnd = searchClose(text, gt+1, lower)
			}
			switch {
			case start >= 0:
				end = closeEnd
			case name == "includeonly" || name == "noinclude" || name == "onlyinclude":
				end = len(text)
			default:
				noClose[lower] = true
				i = gt + 1 // the opening tag is text
				continue
			}
		}
		if ignoredElement(lower, mode) {
			skipTo(end)
		} else {
			i = end // kept as it is
		}
	}
	out.WriteString(text[copied:])
	return out.String()
}

// includeTagName returns the name of the tag that starts at text[i] (after
// '<') if the include pass acts on it in mode: an include tag or closing
// tag the mode ignores, an element it drops, or an element whose content
// it keeps as it is. lower is the name in lower case, with the '/' of a
// closing tag.
func includeTagName(text string, i int, mode inclusionMode) (name, lower string, ok bool) {
	j := i
	if j < len(text) && text[j] == '/' {
		j++
	}
	for j < len(text) && j-i <= maxTagNameBytes && isAlnum(text[j]) {
		j++
	}
	if j == i || j == len(text) || !endsTagName(text, j) {
		return "", "", false
	}
	name = text[i:j]
	lower = strings.ToLower(name)
	if ignoredTag(lower, mode) || ignoredElement(lower, mode) || strippedElements[lower] {
		return name, lower, true
	}
	return "", "", false
}

// ignoredTag reports whether mode drops the tag lower (not its content).
func ignoredTag(lower string, mode inclusionMode) bool {
	if mode == inclusionText {
		return lower == "includeonly" || lower == "/includeonly"
	}
	switch lower {
	case "noinclude", "/noinclude", "onlyinclude", "/onlyinclude":
		return true
	}
	return false
}

// ignoredElement reports whether mode drops the element lower with its
// content.
func ignoredElement(lower string, mode inclusionMode) bool {
	if mode == inclusionText {
		return lower == "noinclude"
	}
	return lower == "includeonly"
}

// PassesOnDigest returns the digest of what a page whose wikitext is text
// passes on to the pages that transclude it: the lowercase hex SHA-256 of
// the text as a transcluder reads it (see Deps.PassesOnDigest), with the
// content of every comment left out, since no reader sees it. Module
// pages pass on their whole text.
func PassesOnDigest(text string, ns Namespace) string {
	if ns != NamespaceModule {
		text = blankComments(includeText(text, inclusionText))
	}
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// blankComments returns text with every comment's content removed
// ("<!-- x -->" becomes "<!---->"), so that editing a comment does not
// change a digest while adding or removing one, which may join or split
// lines, does.
func blankComments(text string) string {
	if !strings.Contains(text, "<!--") {
		return text
	}
	var out strings.Builder
	out.Grow(len(text))
	for {
		k := strings.Index(text, "<!--")
		if k < 0 {
			out.WriteString(text)
			return out.String()
		}
		out.WriteString(text[:k])
		out.WriteString("<!---->")
		end := strings.Index(text[k+4:], "-->")
		if end < 0 {
			return out.String()
		}
		text = text[k+4+end+3:]
	}
}
