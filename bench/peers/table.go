package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// result is one engine's run of one job.
type result struct {
	Round       int
	Engine, Job string
	Events      int64
	Wall, CPU   time.Duration // from the process's start to the last event committed
	// HalfEvents, HalfWall and HalfCPU are the second half of the run: the
	// engine warmed.
	HalfEvents        int64
	HalfWall, HalfCPU time.Duration
	PeakRSS           int64
	Latencies         int // latencies measured (0: none)
	P50, P99          time.Duration
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func (r result) rates() (wall, cpu, warmWall, warmCPU float64) {
	return rate(r.Events, r.Wall), rate(r.Events, r.CPU), rate(r.HalfEvents, r.HalfWall), rate(r.HalfEvents, r.HalfCPU)
}

func (r result) String() string {
	w, c, ww, wc := r.rates()
	return fmt.Sprintf("round %d %s %s: %.0f events/s (warmed %.0f), %.0f events/cpu-s (warmed %.0f), p50 %v p99 %v (%d), peak RSS %d MiB",
		r.Round, r.Job, r.Engine, w, ww, c, wc, r.P50, r.P99, r.Latencies, r.PeakRSS>>20)
}

// summary is the median over rounds of one engine's results on one job.
type summary struct {
	wall, cpu, warmWall, warmCPU float64
	p50, p99                     time.Duration
	rss                          int64
	hasLatency                   bool
}

func median[T int64 | float64 | time.Duration](vs []T) T {
	slices.Sort(vs)
	if len(vs) == 0 {
		return 0
	}
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

func summarize(rs []result) summary {
	var w, c, ww, wc []float64
	var p50, p99 []time.Duration
	var rss []int64
	for _, r := range rs {
		a, b, e, f := r.rates()
		w, c, ww, wc = append(w, a), append(c, b), append(ww, e), append(wc, f)
		rss = append(rss, r.PeakRSS)
		if r.Latencies > 0 {
			p50, p99 = append(p50, r.P50), append(p99, r.P99)
		}
	}
	return summary{median(w), median(c), median(ww), median(wc), median(p50), median(p99), median(rss), len(p99) > 0}
}

// table returns the results as Markdown: per job the median over rounds,
// ripple's ratio to each peer against the targets, then every run.
func table(o options, m machine, res []result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Input: %d events, %d keys, %d partitions; warmed = the second half of the input; latency at %d events/s (%v measured after %v of warm-up); %d round(s), engines alternating; commit interval %v (Kafka Streams: record cache %d MiB, %d stream threads).\n\n",
		o.input.Events, o.input.Keys, o.partitions, o.rate, o.measure, o.warmup, o.rounds, o.commit, o.cache>>20, o.threads)
	fmt.Fprintf(&b, "%s\n\n", m)
	b.WriteString("Medians over the rounds:\n\n")
	b.WriteString("| job | engine | events/s | events/s warmed | events/cpu-s | events/cpu-s warmed | p50 | p99 | peak RSS |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, job := range o.jobs {
		for _, e := range o.engines {
			rs := pick(res, job, e)
			if len(rs) == 0 {
				continue
			}
			s := summarize(rs)
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %s | %s | %d MiB |\n", job, e,
				s.wall, s.warmWall, s.cpu, s.warmCPU, lat(s, s.p50), lat(s, s.p99), s.rss>>20)
		}
	}
	b.WriteString("\nRatios ripple/peer (of the medians). Targets: warmed events/cpu-s at least 2x Kafka Streams', events/cpu-s at least 2x goka-leveldb's, p99 below each peer's.\n\n")
	b.WriteString("| job | peer | events/s | events/s warmed | events/cpu-s | events/cpu-s warmed | p99 | targets |\n|---|---|--:|--:|--:|--:|--:|---|\n")
	for _, rt := range ratios(o, res) {
		p99 := "-"
		if rt.hasP99 {
			p99 = fmt.Sprintf("%.2f", rt.p99)
		}
		verdict := "met"
		if len(rt.missed) > 0 {
			verdict = "**missed**: " + strings.Join(rt.missed, ", ")
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f | %.2f | %.2f | %.2f | %s | %s |\n", rt.job, rt.peer,
			rt.wall, rt.warmWall, rt.cpu, rt.warmCPU, p99, verdict)
	}
	b.WriteString("\nEvery run, in the order run:\n\n")
	b.WriteString("| round | job | engine | events/s | warmed | events/cpu-s | warmed | p50 | p99 | peak RSS |\n|--:|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range res {
		w, c, ww, wc := r.rates()
		p50, p99 := "-", "-"
		if r.Latencies > 0 {
			p50, p99 = r.P50.Round(100*time.Microsecond).String(), r.P99.Round(100*time.Microsecond).String()
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %.0f | %.0f | %.0f | %.0f | %s | %s | %d MiB |\n",
			r.Round, r.Job, r.Engine, w, ww, c, wc, p50, p99, r.PeakRSS>>20)
	}
	return b.String()
}

// ratio is ripple's result on a job divided by a peer's, and the targets
// it misses.
type ratio struct {
	job, peer                    string
	wall, warmWall, cpu, warmCPU float64
	p99                          float64
	hasP99                       bool
	missed                       []string
}

// ratios compares ripple's medians with each peer's, job by job.
func ratios(o options, res []result) []ratio {
	var out []ratio
	for _, job := range o.jobs {
		rip := pick(res, job, "ripple")
		if len(rip) == 0 {
			continue
		}
		r := summarize(rip)
		for _, e := range o.engines {
			if e == "ripple" || len(pick(res, job, e)) == 0 {
				continue
			}
			p := summarize(pick(res, job, e))
			rt := ratio{job: job, peer: e, wall: r.wall / p.wall, warmWall: r.warmWall / p.warmWall,
				cpu: r.cpu / p.cpu, warmCPU: r.warmCPU / p.warmCPU}
			switch e {
			case "kstreams":
				if rt.warmCPU < 2 {
					rt.missed = append(rt.missed, "2x warmed events/cpu-s")
				}
			case "goka-leveldb":
				if rt.cpu < 2 {
					rt.missed = append(rt.missed, "2x events/cpu-s")
				}
			}
			if r.hasLatency && p.hasLatency {
				rt.hasP99, rt.p99 = true, float64(r.p99)/float64(p.p99)
				if r.p99 >= p.p99 {
					rt.missed = append(rt.missed, "lower p99")
				}
			}
			out = append(out, rt)
		}
	}
	return out
}

func pick(res []result, job, engine string) []result {
	var out []result
	for _, r := range res {
		if r.Job == job && r.Engine == engine {
			out = append(out, r)
		}
	}
	return out
}

func lat(s summary, d time.Duration) string {
	if !s.hasLatency {
		return "-"
	}
	return d.Round(100 * time.Microsecond).String()
}
