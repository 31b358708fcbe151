package propagate_test

import (
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
)

func TestCovers(t *testing.T) {
	label := propagate.Frame{Edge: deps.UsesEntity, Target: "Q1", Aspects: []deps.Aspect{"L.en"}, Rule: propagate.RuleUsesEntity}
	labelDesc := propagate.Frame{Edge: deps.UsesEntity, Target: "Q1", Aspects: []deps.Aspect{"L.en", "D.en"}, Rule: propagate.RuleUsesEntity}
	sitelinks := propagate.Frame{Edge: deps.UsesEntity, Target: "Q1", Aspects: []deps.Aspect{"S"}, Rule: propagate.RuleUsesEntity}
	other := label
	other.Target = "Q2"
	transcluders := propagate.Frame{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:Box", Rule: "transclusion"}
	linkers := transcluders
	linkers.Edge, linkers.Rule = deps.LinksTo, "link"
	for _, c := range []struct {
		name       string
		start, old []propagate.Frame
		want       bool
	}{
		{"the same frames", []propagate.Frame{label}, []propagate.Frame{label}, true},
		{"more aspects", []propagate.Frame{labelDesc}, []propagate.Frame{label}, true},
		{"fewer aspects", []propagate.Frame{label}, []propagate.Frame{labelDesc}, false},
		{"other aspects", []propagate.Frame{sitelinks}, []propagate.Frame{label}, false},
		{"another entity", []propagate.Frame{other}, []propagate.Frame{label}, false},
		{"a superset of frames", []propagate.Frame{transcluders, linkers}, []propagate.Frame{transcluders}, true},
		{"a missing frame", []propagate.Frame{transcluders}, []propagate.Frame{transcluders, linkers}, false},
		{"nothing to walk covers nothing", nil, []propagate.Frame{transcluders}, false},
		{"an unknown start is never covered", []propagate.Frame{transcluders}, nil, false},
	} {
		if got := propagate.Covers(c.start, c.old); got != c.want {
			t.Errorf("%s: Covers = %v, want %v", c.name, got, c.want)
		}
	}
}
