package tokens

import (
	"sync"
	"unicode"
)

// wbClass is a rune's Word_Break property value (UAX #29, table 3).
type wbClass uint8

const (
	wbOther wbClass = iota
	wbCR
	wbLF
	wbNewline
	wbExtend
	wbZWJ
	wbRegionalIndicator
	wbFormat
	wbKatakana
	wbHebrewLetter
	wbALetter
	wbSingleQuote
	wbDoubleQuote
	wbMidNumLet
	wbMidLetter
	wbMidNum
	wbNumeric
	wbExtendNumLet
	wbWSegSpace
)

// The Word_Break property is not in package unicode, so classify derives
// it from what is: general categories, scripts and the binary properties,
// following the derivation UAX #29 gives for each value, plus the short
// explicit lists the derivation names. The tables of the std unicode package
// (Unicode 15.0.0 in Go 1.26) are the source of truth for letters and marks;
// WordBreakTest.txt of the same version is the conformance test.

// extra code points of ALetter that are not Alphabetic (UAX #29 table 3).
var aLetterExtra = &unicode.RangeTable{R16: []unicode.Range16{
	{0x02C2, 0x02C5, 1}, {0x02D2, 0x02D7, 1}, {0x02DE, 0x02DF, 1},
	{0x02E5, 0x02EB, 1}, {0x02ED, 0x02ED, 1}, {0x02EF, 0x02FF, 1},
	{0x055A, 0x055C, 1}, {0x055E, 0x055E, 1}, {0x058A, 0x058A, 1},
	{0x05F3, 0x05F3, 1}, {0xA708, 0xA716, 1}, {0xA720, 0xA721, 1},
	{0xA789, 0xA78A, 1}, {0xAB5B, 0xAB5B, 1},
}}

// complexContext holds the scripts of Line_Break=Complex_Context (SA):
// South-East Asian scripts written without spaces, whose words need a
// dictionary. UAX #29 leaves them out of ALetter.
var complexContext = []*unicode.RangeTable{
	unicode.Thai, unicode.Lao, unicode.Myanmar, unicode.Khmer, unicode.Tai_Le,
	unicode.New_Tai_Lue, unicode.Tai_Tham, unicode.Tai_Viet, unicode.Ahom,
}

// alphabetic is the Alphabetic property: letters, letter numbers and
// Other_Alphabetic.
var alphabetic = []*unicode.RangeTable{unicode.L, unicode.Nl, unicode.Other_Alphabetic}

// classify returns the Word_Break property of r: from a table for the Basic
// Multilingual Plane, where nearly all text is.
func classify(r rune) wbClass {
	if r < 0x80 {
		return asciiClass[r]
	}
	if r < 0x10000 {
		return bmpClasses()[r] & classMask
	}
	return derive(r)
}

// bmpClasses holds classify for the BMP, and in bit 7 isExtPict. It is built
// on first use and never changes.
var bmpClasses = sync.OnceValue(func() *[0x10000]wbClass {
	var t [0x10000]wbClass
	for r := range rune(0x10000) {
		t[r] = derive(r)
		if unicode.Is(extPict, r) {
			t[r] |= extPictBit
		}
	}
	return &t
})

const (
	classMask  wbClass = 0x1F
	extPictBit wbClass = 0x80
)

// derive computes the Word_Break property of r from package unicode.
func derive(r rune) wbClass {
	if r < 0x80 {
		return asciiClass[r]
	}
	switch r {
	case 0x85, 0x2028, 0x2029:
		return wbNewline
	case 0x200D:
		return wbZWJ
	case 0x2018, 0x2019, 0x2024, 0xFE52, 0xFF07, 0xFF0E:
		return wbMidNumLet
	case 0x00B7, 0x0387, 0x055F, 0x05F4, 0x2027, 0xFE13, 0xFE55, 0xFF1A:
		return wbMidLetter
	case 0x037E, 0x0589, 0x060C, 0x060D, 0x066C, 0x07F8, 0x2044, 0xFE10, 0xFE14, 0xFE50, 0xFE54, 0xFF0C, 0xFF1B:
		return wbMidNum
	case 0x202F:
		return wbExtendNumLet
	case 0x1680, 0x205F, 0x3000:
		return wbWSegSpace
	case 0x066B:
		return wbNumeric
	case 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x309B, 0x309C, 0x30A0, 0x30FC, 0xFF70:
		return wbKatakana
	}
	switch {
	case r >= 0x2000 && r <= 0x200A && r != 0x2007:
		return wbWSegSpace
	case r >= 0x1F1E6 && r <= 0x1F1FF:
		return wbRegionalIndicator
	case r >= 0x1F3FB && r <= 0x1F3FF: // Emoji_Modifier
		return wbExtend
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc, unicode.Other_Grapheme_Extend):
		return wbExtend
	case unicode.Is(unicode.Cf, r):
		if r == 0x200B || r == 0x200C {
			return wbOther
		}
		return wbFormat
	case unicode.Is(unicode.Nd, r):
		return wbNumeric
	case unicode.Is(unicode.Pc, r):
		return wbExtendNumLet
	case unicode.Is(unicode.Katakana, r):
		return wbKatakana
	case unicode.Is(unicode.Hebrew, r) && unicode.Is(unicode.Lo, r):
		return wbHebrewLetter
	}
	if unicode.Is(aLetterExtra, r) {
		return wbALetter
	}
	if !unicode.In(r, alphabetic...) || unicode.In(r, unicode.Ideographic, unicode.Hiragana) ||
		unicode.In(r, complexContext...) {
		return wbOther
	}
	return wbALetter
}

// asciiClass is classify for ASCII, precomputed.
var asciiClass = func() (t [0x80]wbClass) {
	for r := range rune(0x80) {
		switch {
		case r == '\r':
			t[r] = wbCR
		case r == '\n':
			t[r] = wbLF
		case r == 0x0B || r == 0x0C:
			t[r] = wbNewline
		case r == ' ':
			t[r] = wbWSegSpace
		case r == '"':
			t[r] = wbDoubleQuote
		case r == '\'':
			t[r] = wbSingleQuote
		case r == '.':
			t[r] = wbMidNumLet
		case r == ':':
			t[r] = wbMidLetter
		case r == ',' || r == ';':
			t[r] = wbMidNum
		case r >= '0' && r <= '9':
			t[r] = wbNumeric
		case r == '_':
			t[r] = wbExtendNumLet
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			t[r] = wbALetter
		}
	}
	return t
}()

// ignorable reports whether c is absorbed by the character before it (WB4).
func (c wbClass) ignorable() bool { return c == wbExtend || c == wbFormat || c == wbZWJ }

// ahLetter reports whether c is AHLetter (ALetter or Hebrew_Letter).
func (c wbClass) ahLetter() bool { return c == wbALetter || c == wbHebrewLetter }

// midLetterQ reports whether c is MidLetter or MidNumLetQ.
func (c wbClass) midLetterQ() bool {
	return c == wbMidLetter || c == wbMidNumLet || c == wbSingleQuote
}

// midNumQ reports whether c is MidNum or MidNumLetQ.
func (c wbClass) midNumQ() bool { return c == wbMidNum || c == wbMidNumLet || c == wbSingleQuote }

// newline reports whether c is CR, LF or Newline.
func (c wbClass) newline() bool { return c == wbCR || c == wbLF || c == wbNewline }

// isExtPict reports whether r has the Extended_Pictographic property
// (emoji-data.txt), which package unicode does not carry.
func isExtPict(r rune) bool {
	switch {
	case r < 0xA9:
		return false
	case r < 0x10000:
		return bmpClasses()[r]&extPictBit != 0
	}
	return unicode.Is(extPict, r)
}

// extPict is Extended_Pictographic of Unicode 15.0.0 (emoji-data.txt).
var extPict = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x00A9, 0x00A9, 1}, {0x00AE, 0x00AE, 1}, {0x203C, 0x203C, 1}, {0x2049, 0x2049, 1},
		{0x2122, 0x2122, 1}, {0x2139, 0x2139, 1}, {0x2194, 0x2199, 1}, {0x21A9, 0x21AA, 1},
		{0x231A, 0x231B, 1}, {0x2328, 0x2328, 1}, {0x2388, 0x2388, 1}, {0x23CF, 0x23CF, 1},
		{0x23E9, 0x23F3, 1}, {0x23F8, 0x23FA, 1}, {0x24C2, 0x24C2, 1}, {0x25AA, 0x25AB, 1},
		{0x25B6, 0x25B6, 1}, {0x25C0, 0x25C0, 1}, {0x25FB, 0x25FE, 1}, {0x2600, 0x2605, 1},
		{0x2607, 0x2612, 1}, {0x2614, 0x2685, 1}, {0x2690, 0x2705, 1}, {0x2708, 0x2712, 1},
		{0x2714, 0x2714, 1}, {0x2716, 0x2716, 1}, {0x271D, 0x271D, 1}, {0x2721, 0x2721, 1},
		{0x2728, 0x2728, 1}, {0x2733, 0x2734, 1}, {0x2744, 0x2744, 1}, {0x2747, 0x2747, 1},
		{0x274C, 0x274C, 1}, {0x274E, 0x274E, 1}, {0x2753, 0x2755, 1}, {0x2757, 0x2757, 1},
		{0x2763, 0x2767, 1}, {0x2795, 0x2797, 1}, {0x27A1, 0x27A1, 1}, {0x27B0, 0x27B0, 1},
		{0x27BF, 0x27BF, 1}, {0x2934, 0x2935, 1}, {0x2B05, 0x2B07, 1}, {0x2B1B, 0x2B1C, 1},
		{0x2B50, 0x2B50, 1}, {0x2B55, 0x2B55, 1}, {0x3030, 0x3030, 1}, {0x303D, 0x303D, 1},
		{0x3297, 0x3297, 1}, {0x3299, 0x3299, 1},
	},
	R32: []unicode.Range32{
		{0x1F000, 0x1F0FF, 1}, {0x1F10D, 0x1F10F, 1}, {0x1F12F, 0x1F12F, 1},
		{0x1F16C, 0x1F171, 1}, {0x1F17E, 0x1F17F, 1}, {0x1F18E, 0x1F18E, 1},
		{0x1F191, 0x1F19A, 1}, {0x1F1AD, 0x1F1E5, 1}, {0x1F201, 0x1F20F, 1},
		{0x1F21A, 0x1F21A, 1}, {0x1F22F, 0x1F22F, 1}, {0x1F232, 0x1F23A, 1},
		{0x1F23C, 0x1F23F, 1}, {0x1F249, 0x1F3FA, 1}, {0x1F400, 0x1F53D, 1},
		{0x1F546, 0x1F64F, 1}, {0x1F680, 0x1F6FF, 1}, {0x1F774, 0x1F77F, 1},
		{0x1F7D5, 0x1F7FF, 1}, {0x1F80C, 0x1F80F, 1}, {0x1F848, 0x1F84F, 1},
		{0x1F85A, 0x1F85F, 1}, {0x1F888, 0x1F88F, 1}, {0x1F8AE, 0x1F8FF, 1},
		{0x1F90C, 0x1F93A, 1}, {0x1F93C, 0x1F945, 1}, {0x1F947, 0x1FAFF, 1},
		{0x1FC00, 0x1FFFD, 1},
	},
}
