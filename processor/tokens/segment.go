package tokens

import (
	"iter"
	"unicode/utf8"
)

// Segments returns the segments of s between consecutive word boundaries of
// UAX #29 (Unicode Text Segmentation, rules WB1 to WB999): words, runs of
// spaces, and single punctuation characters. Their concatenation is s.
// Invalid UTF-8 bytes are segments of their own, classified like U+FFFD.
// It runs in time linear in len(s) and allocates nothing.
func Segments(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		if s == "" {
			return
		}
		var sg segmenter
		sg.init(s)
		start := 0
		for {
			end := sg.next()
			if !yield(s[start:end]) || end == len(s) {
				return
			}
			start = end
		}
	}
}

// segmenter finds word boundaries in one left-to-right pass. It keeps the
// classes of the characters to the left of the position under test: the raw
// previous one, and the last two that WB4 does not absorb; rules that look
// one character further to the right decode ahead without moving.
type segmenter struct {
	s   string
	pos int // offset of the character to the right of the position tested

	prev     wbClass // the raw class of the character before pos
	prevZWJ  bool    // the character before pos is U+200D (for WB3c)
	left     wbClass // the last class before pos not absorbed by WB4
	leftLeft wbClass // the one before left
	riOdd    bool    // an odd number of Regional_Indicators ends at left
}

// init positions the segmenter after the first character of s.
func (sg *segmenter) init(s string) {
	r, size := utf8.DecodeRuneInString(s)
	c := classify(r)
	*sg = segmenter{s: s, pos: size, prev: c, prevZWJ: c == wbZWJ, left: c, leftLeft: wbOther,
		riOdd: c == wbRegionalIndicator}
}

// next returns the offset of the next boundary after the current position:
// len(s) at the end of the text.
func (sg *segmenter) next() int {
	for sg.pos < len(sg.s) {
		r, size := rune(sg.s[sg.pos]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(sg.s[sg.pos:])
		}
		c := classify(r)
		if c == wbALetter && sg.prev == wbALetter && sg.left == wbALetter {
			sg.leftLeft = wbALetter // WB5 inside a word: the common case
			sg.riOdd = false
			sg.pos += size
			continue
		}
		brk := sg.breaks(c, r, size)
		at := sg.pos
		sg.advance(c, brk)
		sg.pos += size
		if brk {
			return at
		}
	}
	return len(sg.s)
}

// advance moves the state past a character of class c.
func (sg *segmenter) advance(c wbClass, broke bool) {
	sg.prevZWJ = c == wbZWJ
	sg.prev = c
	if c.ignorable() && !broke {
		return // WB4: absorbed into the character before it
	}
	if c == wbRegionalIndicator && sg.left == wbRegionalIndicator && !broke {
		sg.riOdd = !sg.riOdd
	} else {
		sg.riOdd = c == wbRegionalIndicator
	}
	sg.leftLeft, sg.left = sg.left, c
}

// breaks reports whether there is a word boundary between the character
// before sg.pos and r (of class c and size bytes), which starts at sg.pos.
func (sg *segmenter) breaks(c wbClass, r rune, size int) bool {
	switch {
	case sg.prev == wbCR && c == wbLF: // WB3
		return false
	case sg.prev.newline() || c.newline(): // WB3a, WB3b
		return true
	case sg.prevZWJ && isExtPict(r): // WB3c
		return false
	case sg.prev == wbWSegSpace && c == wbWSegSpace: // WB3d
		return false
	case c.ignorable(): // WB4
		return false
	}
	l, ll := sg.left, sg.leftLeft
	switch {
	case l.ahLetter() && c.ahLetter(): // WB5
		return false
	case l.ahLetter() && c.midLetterQ() && sg.ahead(size).ahLetter(): // WB6
		return false
	case ll.ahLetter() && l.midLetterQ() && c.ahLetter(): // WB7
		return false
	case l == wbHebrewLetter && c == wbSingleQuote: // WB7a
		return false
	case l == wbHebrewLetter && c == wbDoubleQuote && sg.ahead(size) == wbHebrewLetter: // WB7b
		return false
	case ll == wbHebrewLetter && l == wbDoubleQuote && c == wbHebrewLetter: // WB7c
		return false
	case (l == wbNumeric || l.ahLetter()) && c == wbNumeric: // WB8, WB9
		return false
	case l == wbNumeric && c.ahLetter(): // WB10
		return false
	case ll == wbNumeric && l.midNumQ() && c == wbNumeric: // WB11
		return false
	case l == wbNumeric && c.midNumQ() && sg.ahead(size) == wbNumeric: // WB12
		return false
	case l == wbKatakana && c == wbKatakana: // WB13
		return false
	case (l.ahLetter() || l == wbNumeric || l == wbKatakana || l == wbExtendNumLet) && c == wbExtendNumLet: // WB13a
		return false
	case l == wbExtendNumLet && (c.ahLetter() || c == wbNumeric || c == wbKatakana): // WB13b
		return false
	case l == wbRegionalIndicator && c == wbRegionalIndicator && sg.riOdd: // WB15, WB16
		return false
	}
	return true // WB999
}

// ahead returns the class of the first character after the one at sg.pos
// (of size bytes) that WB4 does not absorb, or wbOther at the end of the
// text. The scan is bounded by the next non-absorbed character, so each
// absorbed run is scanned at most once per rule that looks ahead.
func (sg *segmenter) ahead(size int) wbClass {
	for i := sg.pos + size; i < len(sg.s); {
		r, n := utf8.DecodeRuneInString(sg.s[i:])
		if c := classify(r); !c.ignorable() {
			return c
		}
		i += n
	}
	return wbOther
}
