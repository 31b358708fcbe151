package topology_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/topology"
)

// kinds is a registry of two made-up kinds: enrich reads pages and
// writes enriched events, purge reads enriched events and users.
func kinds() *topology.Registry {
	r := topology.NewRegistry()
	build := func(context.Context, topology.Spec) (topology.Built, error) { return topology.Built{}, nil }
	r.Add(topology.Kind{Name: "enrich", Inputs: map[string]string{"pages": "page"}, Outputs: map[string]string{"out": "enriched"}, Build: build})
	r.Add(topology.Kind{Name: "purge", Inputs: map[string]string{"enriched": "enriched", "users": ""},
		Outputs: map[string]string{"purges": "purge"}, Build: build})
	return r
}

const valid = `streams:
  pages:    {partitions: 4, schema: page}
  enriched: {partitions: 4, schema: enriched}
  users:    {partitions: 4, compact: true}
  purges:   {partitions: 2, retention: 24h, schema: purge}
jobs:
  enrich:
    kind: enrich
    inputs: {pages: pages}
    outputs: {out: enriched}
  purge:
    kind: purge
    inputs: {enriched: enriched, users: users}
    outputs: {purges: purges}
`

func TestValidateAcceptsAValidTopology(t *testing.T) {
	top, err := topology.Parse("t.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if err := top.Validate(kinds()); err != nil {
		t.Fatal(err)
	}
}

func TestValidateErrorsWithPositions(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		want           []string // position: message fragment
	}{
		{"missing stream", "inputs: {pages: pages}", "inputs: {pages: page_changes}",
			[]string{"t.yaml:9:21: job enrich pages: stream page_changes is not declared"}},
		{"schema mismatch", "enriched: {partitions: 4, schema: enriched}", "enriched: {partitions: 4, schema: page}",
			[]string{"t.yaml:10:20: job enrich output out: stream enriched has schema page but the job writes enriched",
				"t.yaml:13:24: job purge input enriched: stream enriched has schema page but the job reads enriched"}},
		{"co-partitioning", "users:    {partitions: 4, compact: true}", "users:    {partitions: 3, compact: true}",
			[]string{"t.yaml:13:41: job purge: input users (users) has 3 partitions but enriched (enriched) has 4; inputs of one job must be co-partitioned"}},
		{"cycle", "outputs: {purges: purges}", "outputs: {purges: pages}",
			[]string{"t.yaml:14:23: job purge output purges: stream pages has schema page but the job writes purge",
				"t.yaml:14:23: cycle: enrich -> purge -> enrich (pages): events would go round forever"}},
		{"unknown kind", "kind: enrich", "kind: enrichh",
			[]string{`t.yaml:8:11: job enrich: unknown kind "enrichh"; known: enrich, purge`}},
		{"unknown role", "inputs: {pages: pages}", "inputs: {pages: pages, extra: users}",
			[]string{"t.yaml:9:35: job enrich: kind enrich has no input extra; its inputs are pages"}},
		{"unbound input", "inputs: {enriched: enriched, users: users}", "inputs: {enriched: enriched}",
			[]string{"t.yaml:11:3: job purge: input users is not bound to a stream"}},
		{"no partitions", "pages:    {partitions: 4, schema: page}", "pages:    {schema: page}",
			[]string{"t.yaml:2:3: stream pages: partitions is missing or 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(valid, tc.old, tc.new, 1)
			if src == valid {
				t.Fatalf("%q not in the topology", tc.old)
			}
			top, err := topology.Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			err = top.Validate(kinds())
			var errs topology.Errors
			if !errors.As(err, &errs) || !errors.Is(err, topology.ErrInvalid) {
				t.Fatalf("Validate = %v, want topology.Errors wrapping ErrInvalid", err)
			}
			if len(errs) != len(tc.want) {
				t.Fatalf("Validate found %d errors, want %d:\n%v", len(errs), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(errs[i].Error(), w) {
					t.Errorf("error %d:\n got %s\nwant %s…", i, errs[i], w)
				}
			}
		})
	}
}

func TestParseErrorsWithPositions(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"streams:\n  a: {partitions: x}\n", "t.yaml:2:19: want a whole number"},
		{"streams:\n  a: {partitons: 1}\n", `t.yaml:2:7: stream a: unknown key "partitons"`},
		{"jobs:\n  j: {inputs: {a: b}}\n", "t.yaml:2:3: job j: kind is missing"},
		{"topics: {}\n", `t.yaml:1:1: unknown key "topics"`},
		{"streams:\n  a: {retention: 1week}\n", "t.yaml:2:18: retention"},
	} {
		_, err := topology.Parse("t.yaml", []byte(tc.src))
		if !errors.Is(err, topology.ErrSyntax) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax with %q", tc.src, err, tc.want)
		}
	}
}

func TestPlan(t *testing.T) {
	top, err := topology.Parse("t.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := top.Plan().Write(&b); err != nil {
		t.Fatal(err)
	}
	want := `topic pages partitions=4 replication=default 
topic enriched partitions=4 replication=default 
topic users partitions=4 replication=default cleanup.policy=compact
topic purges partitions=2 replication=default retention.ms=86400000
`
	if b.String() != want {
		t.Errorf("plan:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRender(t *testing.T) {
	top, err := topology.Parse("t.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    topology.Format
		want []string
	}{
		{topology.DOT, []string{"digraph topology {", `"s:pages" -> "j:enrich" [label="pages"];`, `"j:purge" -> "s:purges" [label="purges"];`}},
		{topology.Mermaid, []string{"flowchart LR", `n0(["pages"])`, "n0 -->|pages| n4", "n5 -->|purges| n3"}},
	} {
		var b strings.Builder
		if err := top.Render(&b, tc.f); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s rendering lacks %q:\n%s", tc.f, w, b.String())
			}
		}
	}
	if err := top.Render(&strings.Builder{}, "svg"); err == nil {
		t.Error("Render svg: no error")
	}
}
