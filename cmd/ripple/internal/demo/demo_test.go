package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRunOnEmbeddedBroker(t *testing.T) {
	var out bytes.Buffer
	res, err := Run(context.Background(), Config{Events: 600, Pages: 40, Seed: 7}, &out)
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	if res.Produced != 600 || res.Processed != 600 {
		t.Fatalf("produced %d, processed %d; want 600 and 600", res.Produced, res.Processed)
	}
	if res.Canary != 6 {
		t.Fatalf("canary events dropped: got %d, want 6 (every 100th)", res.Canary)
	}
	var edits int64
	for _, p := range res.Pages {
		edits += p.Edits
	}
	if edits != 594 {
		t.Fatalf("edits in state: got %d, want 594 (600 minus 6 canaries)", edits)
	}
	for _, want := range []string{"processed 600 events", "exact", "most edited pages"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr bool
	}{
		{"defaults", Config{}, false},
		{"negative events", Config{Events: -1}, true},
		{"explicit", Config{Events: 10, Pages: 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg.WithDefaults()
			if err := cfg.Validate(); (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && (cfg.Events <= 0 || cfg.Pages <= 0 || cfg.Timeout <= 0) {
				t.Fatalf("defaults not filled: %+v", cfg)
			}
		})
	}
	if err := (Config{}).Validate(); err == nil {
		t.Fatal("Validate filled defaults or accepted a zero config; it must only check")
	}
}

// TestChangepropCountsRepeat runs the demo twice with one seed: what it
// counts must be the same, and the Kafka run must have purged something
// on time.
func TestChangepropCountsRepeat(t *testing.T) {
	cfg := Config{Events: 300, Pages: 400, Seed: 3}
	var runs [2]ChangepropResult
	for i := range runs {
		var out bytes.Buffer
		res, err := RunChangeprop(context.Background(), cfg, &out)
		if err != nil {
			t.Fatalf("run %d failed: %v\n%s", i, err, out.String())
		}
		runs[i] = res
		if strings.ContainsAny(out.String(), "\r\x1b") {
			t.Fatalf("run %d: control characters in output that is not a terminal:\n%q", i, out.String())
		}
		c, m := res.Counts, res.Run
		if c.Changes != 300 || c.Needed == 0 || c.Broad <= c.Needed || c.Sent > c.Needed || c.Missed != 0 || c.Extra != 0 {
			t.Fatalf("run %d: implausible counts %+v\n%s", i, c, out.String())
		}
		if m.Purges == 0 || m.Candidates < m.Purges || m.Latency.N != m.Purges || m.Latency.P50 <= 0 || m.Latency.P99 < m.Latency.P50 {
			t.Fatalf("run %d: implausible measurements %+v\n%s", i, m, out.String())
		}
		if m.Setup <= 0 || m.Load <= 0 || m.Processing <= 0 {
			t.Fatalf("run %d: phases not timed: %+v", i, m)
		}
	}
	if runs[0].Counts != runs[1].Counts {
		t.Fatalf("same seed, different counts:\n%+v\n%+v", runs[0].Counts, runs[1].Counts)
	}
	other, err := CountChangeprop(context.Background(), Config{Events: 300, Pages: 400, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if other == runs[0].Counts {
		t.Fatalf("seeds 3 and 4 counted the same: %+v", other)
	}
}

func TestCountsRatios(t *testing.T) {
	tests := []struct {
		c               Counts
		broad, coalesce float64
		coalesced       int
	}{
		{Counts{Broad: 2970, Needed: 1127, Sent: 1053}, 2970.0 / 1127, 1127.0 / 1053, 74},
		{Counts{Broad: 10, Needed: 10, Sent: 10}, 1, 1, 0},
		{Counts{Broad: 5}, 0, 0, 0}, // nothing needed: no ratio rather than +Inf
	}
	for _, tt := range tests {
		if got := tt.c.BroadRatio(); got != tt.broad {
			t.Errorf("%+v: BroadRatio() = %v, want %v", tt.c, got, tt.broad)
		}
		if got := tt.c.CoalesceRatio(); got != tt.coalesce {
			t.Errorf("%+v: CoalesceRatio() = %v, want %v", tt.c, got, tt.coalesce)
		}
		if got := tt.c.Coalesced(); got != tt.coalesced {
			t.Errorf("%+v: Coalesced() = %v, want %v", tt.c, got, tt.coalesced)
		}
	}
}

// TestSummaryPrintsComputedRatios checks that the ratios printed are the
// ones computed from the counts printed beside them.
func TestSummaryPrintsComputedRatios(t *testing.T) {
	c := Counts{Changes: 7, Broad: 91, Oracle: 13, Needed: 13, Sent: 9, Window: 10 * time.Second}
	var out bytes.Buffer
	summariseCounts(&out, c)
	var broad, needed, sent, fewer int
	var broadRatio, coalesceRatio float64
	for _, l := range strings.Split(out.String(), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "broad"):
			fmt.Sscanf(l, "broad %d", &broad)
		case strings.HasPrefix(l, "needed"):
			fmt.Sscanf(l, "needed %d purges, counted per change: %fx", &needed, &broadRatio)
		case strings.HasPrefix(l, "coalesced"):
			fmt.Sscanf(l[strings.Index(l, "coalesced"):], "coalesced %d", &sent)
			i := strings.Index(l, "page's purges, ")
			fmt.Sscanf(l[i:], "page's purges, %d fewer (%fx)", &fewer, &coalesceRatio)
		}
	}
	if broad != 91 || needed != 13 || sent != 9 || fewer != 4 {
		t.Fatalf("counts printed: broad %d, needed %d, sent %d, fewer %d; want 91, 13, 9, 4:\n%s", broad, needed, sent, fewer, out.String())
	}
	if want := fmt.Sprintf("%.1f", float64(broad)/float64(needed)); fmt.Sprintf("%.1f", broadRatio) != want {
		t.Errorf("broad ratio printed %.1f, want %s from the counts printed:\n%s", broadRatio, want, out.String())
	}
	if want := fmt.Sprintf("%.1f", float64(needed)/float64(sent)); fmt.Sprintf("%.1f", coalesceRatio) != want {
		t.Errorf("coalescing ratio printed %.1f, want %s from the counts printed:\n%s", coalesceRatio, want, out.String())
	}
}

func TestLatencyPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	got := latencyOf(ds)
	want := Latency{N: 100, P50: 50 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if got != want {
		t.Fatalf("latencyOf(1..100 ms) = %+v, want %+v", got, want)
	}
	if got := latencyOf([]time.Duration{7}); got.P50 != 7 || got.P99 != 7 {
		t.Fatalf("latencyOf(one) = %+v", got)
	}
	if got := latencyOf(nil); got != (Latency{}) {
		t.Fatalf("latencyOf(nil) = %+v", got)
	}
}
