package wikitext

import (
	"bytes"
	"strings"
)

// The scanner matches braces and brackets as MediaWiki's preprocessor
// (Preprocessor_Hash::preprocessToObj) does, with an explicit stack, so
// nesting depth costs memory and not recursion:
//
//   - a run of two or more '{' or '[' opens a frame holding the run's
//     length; a single one is text;
//   - only the frame on top can close, and only with its own closer; a
//     closing run is cut to the frame's open count, then '{' frames match
//     three (a template argument {{{x}}}) or two (a template) and '['
//     frames match two (a link); the innermost opening characters match
//     first and the rest of the run stays open;
//   - '|' splits the frame on top into its name and arguments;
//   - frames still open at the end are text, and what closed inside them
//     still counts;
//   - unlike MediaWiki, the stack holds at most maxFrames frames: deeper
//     runs are text, which only absurd input reaches.
//
// A name is read when its frame closes, and only if no other frame opened
// inside it; that makes the names read disjoint and the scan linear. A name
// with a frame inside ({{ {{{1}}} }}, [[{{PAGENAME}}/a]]) is computed at
// render time, and Parse cannot know it. Arguments are read as they end, so
// a frame holds a fixed amount of state however many it has.

// maxFrames bounds the depth of the frame stack, and so its memory. Real
// wikitext nests a few dozen frames deep; beyond maxFrames, opening runs
// are read as text.
const maxFrames = 1 << 14

// frame is an open run of braces or brackets.
type frame struct {
	open     byte // '{' or '['
	runStart int  // offset of the run's first character
	count    int  // characters of the run not matched yet
	name     span // the name; end is -1 until the first '|' or the close
	arg      span // the argument being read, once the name has ended
	// key is the last argument named "from" ('{' frames, for #property)
	// or "link" ('[' frames, for files), its start at the value.
	key span
}

// span is a stretch of the text.
type span struct {
	start, end int
	nested     bool // a frame opened inside it
	set        bool // for frame.key: there is one
}

// keyOf returns the argument name whose value a frame of kind open keeps.
func keyOf(open byte) string {
	if open == '{' {
		return "from"
	}
	return "link"
}

// scan reads one cleaned text and records what its frames name.
func (r *run) scan(src []byte) {
	frames := r.frames[:0]
	for i := 0; i < len(src); {
		for i < len(src) && !isFrameByte(src[i]) {
			i++
		}
		if i == len(src) {
			break
		}
		c := src[i]
		switch c {
		case '{', '[':
			j := i + 1
			for j < len(src) && src[j] == c {
				j++
			}
			if j-i >= 2 && len(frames) < maxFrames {
				if n := len(frames); n > 0 {
					frames[n-1].current().nested = true
				}
				frames = append(frames, frame{open: c, runStart: i, count: j - i, name: span{start: j, end: -1}})
			}
			i = j
		case '|':
			if n := len(frames); n > 0 {
				r.endPart(src, &frames[n-1], i)
				frames[n-1].arg = span{start: i + 1}
			}
			i++
		default: // '}' or ']'
			n := len(frames)
			if n == 0 || closer(frames[n-1].open) != c {
				i++
				continue
			}
			f := &frames[n-1]
			// Count the closing run only as far as a match can use it;
			// counting a long run again after each match is quadratic.
			j, limit := i+1, min(f.count, 3)
			for j < len(src) && src[j] == c && j-i < limit {
				j++
			}
			matched := matchLength(f.open, j-i)
			if matched == 0 {
				i = j
				continue
			}
			r.endPart(src, f, i)
			r.closeFrame(src, f, matched)
			i += matched
			f.count -= matched
			if f.count >= 2 {
				// The rest of the run stays open around what just closed.
				*f = frame{open: f.open, runStart: f.runStart, count: f.count,
					name: span{start: f.runStart + f.count, end: -1, nested: true}}
			} else {
				frames = frames[:n-1]
			}
		}
	}
	r.frames = frames[:0]
}

// current returns the part of f being read: its name or its last argument.
func (f *frame) current() *span {
	if f.name.end < 0 {
		return &f.name
	}
	return &f.arg
}

// hasArgs reports whether f has had a '|': arguments after its name.
func (f *frame) hasArgs() bool {
	return f.arg.start > 0
}

// endPart ends the part of f being read at offset end: the name is kept
// for the close; an argument is read now.
func (r *run) endPart(src []byte, f *frame, end int) {
	if f.name.end < 0 {
		f.name.end = end
		return
	}
	f.arg.end = end
	if f.open == '{' && !f.arg.nested {
		r.fileArgument(src[f.arg.start:end])
	}
	if v, ok := keyValue(src, f.arg, keyOf(f.open)); ok {
		f.key = v
	}
}

// isFrameByte reports whether c is one of the bytes the scanner acts on.
func isFrameByte(c byte) bool {
	// Digits, capitals, spaces and punctuation fail the first test.
	return c >= '[' && (c == '[' || c == ']' || c == '{' || c == '|' || c == '}')
}

// closer returns the closing character of open.
func closer(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
}

// matchLength returns how many characters of a closing run of length n
// close a frame opened with open: 3 or 2 for braces, 2 for brackets, 0 if
// the run closes nothing.
func matchLength(open byte, n int) int {
	switch {
	case open == '{' && n >= 3:
		return 3
	case n >= 2:
		return 2
	}
	return 0
}

// closeFrame records the dependency of frame f, which closes with matched
// characters. A template argument {{{x|default}}} names nothing itself.
func (r *run) closeFrame(src []byte, f *frame, matched int) {
	switch {
	case f.open == '[':
		r.link(src, f)
	case matched == 2:
		r.template(src, f)
	}
}

// text returns the text of s, or false if a frame opened inside it or it is
// too long to be a name.
func (s span) text(src []byte) (string, bool) {
	if s.nested || s.end-s.start > maxNameBytes {
		return "", false
	}
	return string(src[s.start:s.end]), true
}

// maxKeyLookahead bounds the whitespace around a named argument's key that
// keyValue skips, so that looking for keys stays linear.
const maxKeyLookahead = 64

// keyValue reports whether argument arg is key=value, and returns the
// span of the value.
func keyValue(src []byte, arg span, key string) (span, bool) {
	s := skipSpace(src, arg.start, min(arg.end, arg.start+maxKeyLookahead))
	if !bytes.HasPrefix(src[s:arg.end], []byte(key)) {
		return span{}, false
	}
	s = skipSpace(src, s+len(key), min(arg.end, s+len(key)+maxKeyLookahead))
	if s >= arg.end || src[s] != '=' {
		return span{}, false
	}
	return span{start: s + 1, end: arg.end, nested: arg.nested, set: true}, true
}

// keyValueText returns the trimmed value of f's key argument: found is
// false without one, and dynamic is true if a frame opened inside it
// (from={{{1}}}), so that Parse cannot know the value.
func (f *frame) keyValueText(src []byte) (value string, found, dynamic bool) {
	if !f.key.set {
		return "", false, false
	}
	v, ok := f.key.text(src)
	if !ok {
		return "", true, true
	}
	return strings.Trim(v, phpSpace), true, false
}

// skipSpace returns the offset of the first byte of src[i:limit] that is
// neither whitespace nor a comment marker, or limit.
func skipSpace(src []byte, i, limit int) int {
	for i < limit && (isSpace(src[i]) || src[i] == 0 || src[i] == commentMarker) {
		i++
	}
	return i
}
