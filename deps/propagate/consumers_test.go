package propagate_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
)

// TestWikimediaConsumersActOnPurges checks ripple's purges against the
// consumers Wikimedia runs (testdata/SOURCES.md): which rules of
// change-propagation's own configuration each purge triggers, evaluating
// their match and match_not blocks as its lib/rule.js does, and what
// purged would send to the caches, decoding the event as purged does.
func TestWikimediaConsumersActOnPurges(t *testing.T) {
	rules := loadChangepropRules(t, "testdata/wmf/mediawiki-services-change-propagation/config.example.wikimedia.yaml")
	root := event.RootEvent{Signature: "enwiki:Template:Infobox", DT: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)}
	f := &propagate.Fanout{Root: root}
	page := deps.PageRef{ID: 7, Title: "Café_(disambiguation)"}
	for _, tc := range []struct {
		rule   string
		want   []string // change-propagation rules triggered
		path   string   // what purged sends PURGE for, written by hand
		stream string
	}{
		{propagate.RuleTransclusion, []string{"on_transclusion_update"}, "/wiki/Caf%C3%A9_(disambiguation)", "change-prop.transcludes.resource-change"},
		{propagate.RuleUsesFile, []string{"on_transclusion_update"}, "/wiki/Caf%C3%A9_(disambiguation)", "change-prop.transcludes.resource-change"},
		{propagate.RuleLinksTo, []string{"on_backlinks_update"}, "/wiki/Caf%C3%A9_(disambiguation)", "change-prop.backlinks.resource-change"},
		{propagate.RuleUsesEntity, []string{"on_wikidata_description_change"}, "/wiki/Caf%C3%A9_(disambiguation)", "change-prop.wikidata.resource-change"},
		// The page itself: change-propagation re-renders it from
		// MediaWiki's own events; purged purges it.
		{propagate.RulePageEdit, nil, "/wiki/Caf%C3%A9_(disambiguation)", "resource-purge"},
		{propagate.RuleDeleted, nil, "/wiki/Caf%C3%A9_(disambiguation)", "resource-purge"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			rcs, _, err := f.Events(propagate.Purge{Wiki: "enwiki", Page: page, Rule: tc.rule, Path: []string{"x"}},
				propagate.Targets{Sites: propagate.WikimediaSites()}, root.DT)
			if err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(rcs[0])
			if err != nil {
				t.Fatal(err)
			}
			var msg map[string]any
			if err := json.Unmarshal(b, &msg); err != nil {
				t.Fatal(err)
			}
			if got := msg["meta"].(map[string]any)["stream"]; got != tc.stream {
				t.Errorf("meta.stream = %v, want %s", got, tc.stream)
			}
			var got []string
			for _, r := range rules {
				if r.topic == tc.stream && r.triggers(t, msg) {
					got = append(got, r.name)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("change-propagation rules triggered: %v, want %v\n%s", got, tc.want, b)
			}
			host, path := purgedRequest(t, b)
			if host != "en.wikipedia.org" || path != tc.path {
				t.Errorf("purged sends PURGE %s with Host %s, want PURGE %s with Host en.wikipedia.org", path, host, tc.path)
			}
		})
	}
}

// purgedRequest decodes a resource_change as purged does (meta.uri is
// required; the URL is parsed and purged by host and request URI).
func purgedRequest(t *testing.T, b []byte) (host, requestURI string) {
	t.Helper()
	var rc struct {
		Meta struct {
			URI *string `json:"uri"`
			DT  string  `json:"dt"`
		} `json:"meta"`
		RootEvent *struct {
			DT string `json:"dt"`
		} `json:"root_event"`
	}
	if err := json.Unmarshal(b, &rc); err != nil || rc.Meta.URI == nil {
		t.Fatalf("purged cannot read %s: %v", b, err)
	}
	// purged logs and replaces a time it cannot parse as RFC 3339.
	for _, dt := range []string{rc.Meta.DT, rc.RootEvent.DT} {
		if _, err := time.Parse(time.RFC3339, dt); err != nil {
			t.Errorf("purged cannot parse time %q: %v", dt, err)
		}
	}
	u, err := url.Parse(*rc.Meta.URI)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host, u.RequestURI()
}

// cpRule is one rule of change-propagation's configuration.
type cpRule struct {
	name, topic string
	cases       []cpCase // a rule without cases is one case
}

type cpCase struct {
	match    any   // nil: every message
	matchNot []any // any of them matching vetoes the case
}

// triggers reports whether some case of r matches msg.
func (r cpRule) triggers(t *testing.T, msg map[string]any) bool {
	for _, c := range r.cases {
		if c.match != nil && !jsMatch(t, c.match, msg, true) {
			continue
		}
		vetoed := false
		for _, not := range c.matchNot {
			if jsMatch(t, not, msg, true) {
				vetoed = true
			}
		}
		if !vetoed {
			return true
		}
	}
	return false
}

// jsMatch is lib/rule.js's _compileMatch: an object matches when each of
// its keys does; an array when the value is an array holding, for each
// item, an element it matches; "undefined" when the value is absent; a
// string /re/ is a regex test, any other string or scalar is equality.
func jsMatch(t *testing.T, want, got any, present bool) bool {
	switch w := want.(type) {
	case map[string]any:
		m, _ := got.(map[string]any)
		for k, v := range w {
			g, ok := m[k]
			if !jsMatch(t, v, g, ok) {
				return false
			}
		}
		return true
	case []any:
		arr, ok := got.([]any)
		if !ok {
			return false
		}
		for _, item := range w {
			if !slices.ContainsFunc(arr, func(g any) bool { return jsMatch(t, item, g, true) }) {
				return false
			}
		}
		return true
	case string:
		if w == "undefined" {
			return !present
		}
		if !strings.HasPrefix(w, "/") && !strings.HasSuffix(w, "/") {
			return got == w
		}
		re, err := jsRegexp(w)
		if err != nil {
			// Go's regexp lacks look-ahead, which one case (Wiktionary's
			// RESTBase definitions) uses; its other conditions need a
			// "restbase" tag, which no ripple purge has.
			t.Logf("regex %s: %v (counted as no match)", w, err)
			return false
		}
		return re.MatchString(fmt.Sprint(jsString(got, present)))
	default:
		return present && fmt.Sprint(got) == fmt.Sprint(w)
	}
}

// jsString is what RegExp.test converts a value to.
func jsString(v any, present bool) string {
	if !present {
		return "undefined"
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

func jsRegexp(lit string) (*regexp.Regexp, error) {
	end := strings.LastIndex(lit, "/")
	body, flags := lit[1:end], lit[end+1:]
	body = strings.ReplaceAll(body, `\/`, `/`)
	if strings.Contains(flags, "i") {
		body = "(?i)" + body
	}
	return regexp.Compile(body)
}

// loadChangepropRules reads the rules (x-modules sys/kafka.js templates)
// of a change-propagation configuration.
func loadChangepropRules(t *testing.T, path string) []cpRule {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Spec struct {
			Paths map[string]struct {
				Modules []struct {
					Path    string `yaml:"path"`
					Options struct {
						Templates map[string]map[string]any `yaml:"templates"`
					} `yaml:"options"`
				} `yaml:"x-modules"`
			} `yaml:"paths"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	var rules []cpRule
	for _, m := range cfg.Spec.Paths["/sys/queue"].Modules {
		for name, spec := range m.Options.Templates {
			r := cpRule{name: name, topic: fmt.Sprint(spec["topic"])}
			cases, ok := spec["cases"].([]any)
			if !ok {
				cases = []any{spec}
			}
			for _, c := range cases {
				cm := c.(map[string]any)
				var not []any
				switch n := cm["match_not"].(type) {
				case []any:
					not = n
				case map[string]any:
					not = []any{n}
				}
				r.cases = append(r.cases, cpCase{match: cm["match"], matchNot: not})
			}
			rules = append(rules, r)
		}
	}
	slices.SortFunc(rules, func(a, b cpRule) int { return strings.Compare(a.name, b.name) })
	if len(rules) < 15 {
		t.Fatalf("read %d rules of %s, want the configuration's 20 or so", len(rules), path)
	}
	return rules
}
