package deps

import (
	"errors"
	"slices"
	"testing"
)

func TestParseAspect(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Aspect // "" means invalid
	}{
		{"S", "S"}, {"T", "T"}, {"O", "O"}, {"X", "X"},
		{"L", "L"}, {"D", "D"}, {"C", "C"},
		{"L.en", "L.en"}, {"L.EN", "L.en"}, {"L.zh-Hans", "L.zh-hans"}, {"D.de-formal", "D.de-formal"},
		{"C.P31", "C.P31"}, {"C.P1", "C.P1"},
		{"", ""}, {"s", ""}, {"Z", ""}, {"S.en", ""}, {"X.P31", ""}, {"L.", ""}, {"L.e n", ""},
		{"L.en.us", ""}, {"C.P0", ""}, {"C.P", ""}, {"C.31", ""}, {"C.Q31", ""}, {"C.P3a", ""},
		{"L." + string(make([]byte, 200)), ""},
	} {
		got, err := ParseAspect(c.in)
		if c.want == "" {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseAspect(%q) = %q, %v; want ErrInvalid", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseAspect(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestAspectParts(t *testing.T) {
	for _, c := range []struct {
		a         Aspect
		base      Aspect
		mod       string
		collapsed bool
	}{
		{"L.en", "L", "en", false}, {"L", "L", "", true}, {"C.P31", "C", "P31", false}, {"C", "C", "", true},
		{"D", "D", "", true}, {"S", "S", "", false}, {"X", "X", "", false},
	} {
		if c.a.Base() != c.base || c.a.Modifier() != c.mod || c.a.Collapsed() != c.collapsed {
			t.Errorf("%q: base %q modifier %q collapsed %v; want %q %q %v",
				c.a, c.a.Base(), c.a.Modifier(), c.a.Collapsed(), c.base, c.mod, c.collapsed)
		}
	}
	if LabelAspect("EN") != "L.en" || DescriptionAspect("de") != "D.de" || StatementAspect("P18") != "C.P18" {
		t.Error("constructors build the wrong aspects")
	}
}

func TestAspectMatches(t *testing.T) {
	for _, c := range []struct {
		usage   Aspect
		changed []Aspect
		want    bool
	}{
		// X on either side.
		{"X", []Aspect{"S"}, true},
		{"X", []Aspect{"O"}, true},
		{"S", []Aspect{"X"}, true},
		{"L.en", []Aspect{"X"}, true},
		{"X", nil, false},
		{"S", nil, false},
		// Labels.
		{"L.en", []Aspect{"L.en"}, true},
		{"L.en", []Aspect{"L.EN"}, true},
		{"L.en", []Aspect{"L"}, true},
		{"L.en", []Aspect{"L.de"}, false},
		{"L", []Aspect{"L.de"}, true},
		{"L", []Aspect{"L"}, true},
		{"L.en", []Aspect{"D.en"}, false},
		{"D.en", []Aspect{"D.en"}, true},
		{"D", []Aspect{"D.fr"}, true},
		// Statements.
		{"C.P31", []Aspect{"C.P31"}, true},
		{"C.P31", []Aspect{"C"}, true},
		{"C.P31", []Aspect{"C.P18"}, false},
		{"C", []Aspect{"C.P18"}, true},
		{"C.P31", []Aspect{"L.en"}, false},
		// Letters without modifiers.
		{"S", []Aspect{"S"}, true},
		{"S", []Aspect{"T"}, false},
		{"T", []Aspect{"S", "T"}, true},
		{"O", []Aspect{"O"}, true},
		{"O", []Aspect{"L.en", "C.P31", "S", "T"}, false},
		{"S", []Aspect{"O"}, false},
		// Any of several changes.
		{"C.P18", []Aspect{"L.en", "C.P18"}, true},
	} {
		if got := c.usage.Matches(c.changed); got != c.want {
			t.Errorf("%q.Matches(%q) = %v, want %v", c.usage, c.changed, got, c.want)
		}
	}
}

func TestMatchAspects(t *testing.T) {
	usage := []Aspect{"C.P31", "L.en", "S"}
	for _, c := range []struct {
		changed []Aspect
		want    []Aspect
	}{
		{[]Aspect{"L.en", "S"}, []Aspect{"L.en", "S"}},
		{[]Aspect{"L"}, []Aspect{"L.en"}},
		{[]Aspect{"X"}, usage},
		{[]Aspect{"D.en"}, nil},
	} {
		got := MatchAspects(usage, c.changed)
		if !slices.Equal(got, c.want) {
			t.Errorf("MatchAspects(%q, %q) = %q, want %q", usage, c.changed, got, c.want)
		}
		if AnyMatches(usage, c.changed) != (len(c.want) > 0) {
			t.Errorf("AnyMatches(%q, %q) disagrees with MatchAspects", usage, c.changed)
		}
	}
}
