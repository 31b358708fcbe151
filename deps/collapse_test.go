package deps

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func aspects(base string, n int) []Aspect {
	out := make([]Aspect, n)
	for i := range out {
		out[i] = Aspect(fmt.Sprintf("%s.x%02d", base, i))
	}
	return out
}

func props(n int) []Aspect {
	out := make([]Aspect, n)
	for i := range out {
		out[i] = Aspect(fmt.Sprintf("C.P%d", i+1))
	}
	return out
}

func TestCollapse(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     []Aspect
		limits CollapseLimits
		want   []Aspect
	}{
		{"empty", nil, CollapseLimits{}, []Aspect{}},
		{"sorted and deduplicated", []Aspect{"S", "L.en", "S", "C.P31"}, CollapseLimits{}, []Aspect{"C.P31", "L.en", "S"}},
		{"X absorbs everything", []Aspect{"S", "X", "L.en"}, CollapseLimits{}, []Aspect{"X"}},
		{"bare L absorbs L.xx", []Aspect{"L.en", "L", "L.de", "D.en"}, CollapseLimits{}, []Aspect{"D.en", "L"}},
		{"10 labels stay", aspects("L", 10), CollapseLimits{}, aspects("L", 10)},
		{"11 labels collapse", aspects("L", 11), CollapseLimits{}, []Aspect{"L"}},
		{"11 descriptions collapse", append(aspects("D", 11), "L.en"), CollapseLimits{}, []Aspect{"D", "L.en"}},
		{"33 statements stay", props(33), CollapseLimits{}, slices.Sorted(slices.Values(props(33)))},
		{"34 statements collapse", props(34), CollapseLimits{}, []Aspect{"C"}},
		{"custom limit", aspects("L", 3), CollapseLimits{Labels: 2}, []Aspect{"L"}},
		{"no limit", aspects("L", 50), CollapseLimits{Labels: NoLimit}, aspects("L", 50)},
	} {
		got := Collapse(c.in, c.limits)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: Collapse(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

// TestCollapseNeverLosesMatches checks the promise of Collapse: every change
// that matches a usage matches its collapsed form.
func TestCollapseNeverLosesMatches(t *testing.T) {
	usages := [][]Aspect{aspects("L", 11), append(aspects("D", 12), "S"), props(40), {"X", "O"}, {"L", "L.en", "C.P5"}}
	changes := [][]Aspect{{"L.x03"}, {"L"}, {"D.x11"}, {"C.P39"}, {"C"}, {"O"}, {"S"}, {"T"}, {"X"}, {"L.zz"}}
	for _, u := range usages {
		collapsed := Collapse(u, CollapseLimits{})
		for _, ch := range changes {
			if AnyMatches(u, ch) && !AnyMatches(collapsed, ch) {
				t.Errorf("change %q matches %q but not its collapsed form %q", ch, u, collapsed)
			}
		}
	}
}

func TestCollapseLimitsValidate(t *testing.T) {
	if err := (CollapseLimits{Labels: -2}).Validate(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Labels -2: %v, want ErrInvalidConfig", err)
	}
	if err := (CollapseLimits{Labels: NoLimit, Statements: 5}).Validate(); err != nil {
		t.Errorf("valid limits: %v", err)
	}
	if d := (CollapseLimits{Descriptions: 3}).WithDefaults(); d != (CollapseLimits{Labels: 10, Descriptions: 3, Statements: 33}) {
		t.Errorf("WithDefaults = %+v", d)
	}
}
