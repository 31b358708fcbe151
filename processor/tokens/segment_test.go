package tokens

import (
	"slices"
	"testing"
)

// TestSegments checks word boundaries on cases written from the rules of
// UAX #29 (the rule each case exercises is named). The segmenter was also
// checked once against the full Unicode 15.0.0 WordBreakTest.txt; that file
// is not kept in the repository (see doc.go).
func TestSegments(t *testing.T) {
	tests := []struct {
		rule string
		in   string
		want []string
	}{
		{"WB3 CR LF", "a\r\nb", []string{"a", "\r\n", "b"}},
		{"WB3d spaces", "a   b", []string{"a", "   ", "b"}},
		{"WB5 letters", "hello world", []string{"hello", " ", "world"}},
		{"WB6/7 apostrophe", "can't stop", []string{"can't", " ", "stop"}},
		{"WB6/7 MidLetter colon", "a:b", []string{"a:b"}},
		{"WB8 digits", "2026", []string{"2026"}},
		{"WB9/10 letters and digits", "a1b2", []string{"a1b2"}},
		{"WB11/12 decimal point", "3.14", []string{"3.14"}},
		{"WB11/12 thousands", "1,000,000", []string{"1,000,000"}},
		{"trailing full stop", "end.", []string{"end", "."}},
		{"WB13 Katakana run", "カタカナ", []string{"カタカナ"}},
		{"Han one by one", "漢字", []string{"漢", "字"}},
		{"Hiragana one by one", "ひらがな", []string{"ひ", "ら", "が", "な"}},
		{"Cyrillic", "Привет мир", []string{"Привет", " ", "мир"}},
		{"Arabic", "مرحبا بالعالم", []string{"مرحبا", " ", "بالعالم"}},
		{"WB4 Devanagari marks stay in the word", "नमस्ते दुनिया", []string{"नमस्ते", " ", "दुनिया"}},
		{"WB4 combining accent", "cafe\u0301 au lait", []string{"cafe\u0301", " ", "au", " ", "lait"}},
		{"WB3c emoji ZWJ sequence", "👩\u200d👩\u200d👧", []string{"👩\u200d👩\u200d👧"}},
		{"WB4 skin tone", "👍🏽 ok", []string{"👍🏽", " ", "ok"}},
		{"WB15/16 flag pairs", "🇩🇪🇫🇷", []string{"🇩🇪", "🇫🇷"}},
		{"WB13a/b underscore joins", "foo_bar", []string{"foo_bar"}},
		{"WB999 punctuation", "a,b", []string{"a", ",", "b"}},
		{"hyphen splits", "well-known", []string{"well", "-", "known"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got := slices.Collect(Segments(tt.in))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Segments(%+q) = %+q, want %+q", tt.in, got, tt.want)
			}
		})
	}
}
