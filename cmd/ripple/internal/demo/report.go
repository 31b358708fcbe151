package demo

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Counts are what the changes need, counted by replaying the workload in
// order through the propagation engine the job runs (deps/replay). They
// depend on the workload's size and seed only: every run with the same
// seed counts the same.
type Counts struct {
	// DependencySets is the number of pages whose dependency sets are
	// loaded before the changes.
	DependencySets int
	// Changes and Reparses are the input lines after the initial load:
	// changes, and the dependency sets of the pages they re-parsed.
	Changes, Reparses int
	// Broad is what a naive propagation sends, counted per change: every
	// page that depends on what changed (transcludes it, transitively,
	// links to it or uses the entity), whatever changed in it.
	Broad int
	// Oracle is what the changes need, counted per change: the pages
	// whose rendering each one affects (the workload's ground truth).
	Oracle int
	// Needed is what the engine purges, counted per change: distinct
	// (change, page) pairs. Missed and Extra are the oracle's pairs it
	// lacks and its pairs the oracle lacks.
	Needed, Missed, Extra int
	// Sent is what the purges become after coalescing with Window over the
	// changes' event times.
	Sent   int
	Window time.Duration
}

// BroadRatio is how many times more purges a naive propagation sends
// than the engine, both counted per change.
func (c Counts) BroadRatio() float64 { return ratio(c.Broad, c.Needed) }

// Coalesced is how many of the engine's purges coalescing saves.
func (c Counts) Coalesced() int { return c.Needed - c.Sent }

// CoalesceRatio is how many times fewer purges are sent than the engine
// found due.
func (c Counts) CoalesceRatio() float64 { return ratio(c.Needed, c.Sent) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Measured is what the changeprop jobs did on the in-process broker. It
// varies from run to run: the timings, and the counts too, since changes
// of one page or entity produced while the fan-out of an earlier one is
// still walking cut that walk off, and a page's re-parse on one topic and
// a change on another reach the job in either order.
type Measured struct {
	// Setup is the broker's start, topic creation and both consumer
	// groups joining, until both jobs are ready.
	Setup time.Duration
	// Load is the initial dependency sets going into the graph.
	Load time.Duration
	// Processing is the changes and re-parses, produced at a steady rate,
	// until the last purge arrived.
	Processing time.Duration
	// Candidates are the fan-out's purges, Purges those the coalesce job
	// sent; Missed are the oracle's (change, URI) pairs no candidate of
	// the change or a later one purged (pages left stale), Extra the
	// candidates of a URI neither their change nor an earlier one needs.
	Candidates, Purges, Missed, Extra int
	// Latency is from a change's production to the arrival of its purges.
	Latency Latency
}

// Latency summarises the time from a change's production to the arrival
// of a purge it caused at a consumer of the purge stream.
type Latency struct {
	N             int
	P50, P99, Max time.Duration
}

// latencyOf returns the nearest-rank percentiles of ds.
func latencyOf(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Sorted(slices.Values(ds))
	rank := func(p int) time.Duration { return s[(p*len(s)+99)/100-1] }
	return Latency{N: len(s), P50: rank(50), P99: rank(99), Max: s[len(s)-1]}
}

func summariseCounts(out io.Writer, c Counts) {
	fmt.Fprintf(out, "counted (the same on every run with this seed): %d changes and %d re-parses on a wiki of %d pages, replayed in order through the propagation engine\n",
		c.Changes, c.Reparses, c.DependencySets)
	fmt.Fprintf(out, "  broad       %6d purges, counted per change: a naive propagation purges every transcluder, backlink and entity user of what changed\n", c.Broad)
	fmt.Fprintf(out, "  needed      %6d purges, counted per change: %.1fx fewer than broad", c.Needed, c.BroadRatio())
	if c.Missed == 0 && c.Extra == 0 {
		fmt.Fprintf(out, "; exactly the oracle's pages for every change\n")
	} else {
		fmt.Fprintf(out, "; against the oracle's %d: %d missed, %d extra\n", c.Oracle, c.Missed, c.Extra)
	}
	fmt.Fprintf(out, "  coalesced   %6d purges sent: a %v window over event time merges a page's purges, %d fewer (%.1fx)\n",
		c.Sent, c.Window, c.Coalesced(), c.CoalesceRatio())
}

func summariseRun(out io.Writer, r ChangepropResult) {
	m, l := r.Run, r.Run.Latency
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	fmt.Fprintf(out, "  setup       %8s broker started, topics created, consumer groups %s joined\n", ms(m.Setup), r.Groups)
	fmt.Fprintf(out, "  graph       %8s dependency sets of %d pages loaded\n", ms(m.Load), r.Counts.DependencySets)
	fmt.Fprintf(out, "  processing  %8s changes produced at %d/s with their re-parses, until the last purge arrived\n", ms(m.Processing), rate)
	fmt.Fprintf(out, "  latency     p50 %s, p99 %s, max %s from a change's production to its purge's arrival (%d purges)\n",
		ms(l.P50), ms(l.P99), ms(l.Max), l.N)
	fmt.Fprintf(out, "  purges      %8d sent by the jobs of %d candidates: no window here, a candidate is dropped when its page was\n",
		m.Purges, m.Candidates)
	fmt.Fprintf(out, "              already purged after its change, so the count depends on arrival order (not comparable with coalesced above)\n")
	if m.Missed == 0 && m.Extra == 0 {
		fmt.Fprintf(out, "              against the oracle: every page a change needs purged by it or a later change, nothing else\n")
	} else {
		fmt.Fprintf(out, "              against the oracle: %d (change, page) pairs left stale, %d purges of pages no change needed so far:\n", m.Missed, m.Extra)
		fmt.Fprintf(out, "              a page's re-parse and a change it depends on race on two topics\n")
	}
	if len(r.Sample) > 0 {
		fmt.Fprintf(out, "  example     %s because:\n", r.Sample[0])
		for _, step := range r.Sample[1:] {
			fmt.Fprintf(out, "                %s\n", step)
		}
	}
	fmt.Fprintln(out, "next: ripple deps gen | ripple deps replay --store pebble:/tmp/graph   (the same engine, no Kafka)")
}
