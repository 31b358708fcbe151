//go:build integration

package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/internal/testenv"
)

// `ripple bench changeprop` on the real broker, small: it sends the
// changes at the rate asked, waits until every page they affect is purged
// and prints a row with the latency percentiles.
func TestIntegrationBenchChangeprop(t *testing.T) {
	kc := testenv.Kafka(t)
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"bench", "changeprop", "--brokers", strings.Join(kc.Brokers, ","),
		"--rates", "200", "--duration", "3s", "--warmup", "1s", "--pages", "2000", "--templates", "20", "--template-share", "0.05"}, &out, &errs)
	t.Cleanup(func() { deleteTopicsWithPrefix(t, kc.Brokers, "bench-") })
	if err != nil {
		t.Fatalf("ripple bench changeprop: %v\n%s%s", err, out.String(), errs.String())
	}
	row := regexp.MustCompile(`(?m)^\| 200 \| (\d+) \| (\d+) \| (\d+) \| ([^|]+) \| ([^|]+) \|`).FindStringSubmatch(out.String())
	if row == nil {
		t.Fatalf("no row for 200/s:\n%s", out.String())
	}
	sent, _ := strconv.Atoi(row[1])
	purges, _ := strconv.Atoi(row[3])
	if sent != 600 || purges < sent/2 || strings.TrimSpace(row[4]) == "0s" {
		t.Fatalf("sent %d, purges %d, p50 %s: want 600 changes (200/s for 3 s), their purges and a latency:\n%s", sent, purges, row[4], out.String())
	}
	t.Logf("\n%s", out.String())
}

// `ripple bench changeprop --fanout` on the real broker, small: one edit
// of a template of 3,000 pages walked in steps of 1,000, through the
// whole job and through the fan-out job alone; it reports the steps it
// timed on the loopback topic and the peak RSS.
func TestIntegrationBenchChangepropFanout(t *testing.T) {
	kc := testenv.Kafka(t)
	t.Cleanup(func() { deleteTopicsWithPrefix(t, kc.Brokers, "bench-") })
	for _, walkOnly := range []bool{false, true} {
		var out, errs bytes.Buffer
		args := []string{"bench", "changeprop", "--brokers", strings.Join(kc.Brokers, ","), "--fanout", "3000", "--walk-batch", "1000"}
		if walkOnly {
			args = append(args, "--walk-only")
		}
		if err := run(context.Background(), args, &out, &errs); err != nil {
			t.Fatalf("ripple %v: %v\n%s%s", args, err, out.String(), errs.String())
		}
		line := regexp.MustCompile(`3001 (purges|candidates \(the fan-out job alone\)) read in .* in (\d+) steps .* peak RSS \d+ MiB after loading, (\d+) MiB at a tenth`).
			FindStringSubmatch(errs.String())
		if line == nil {
			t.Fatalf("ripple %v: no result line:\n%s", args, errs.String())
		}
		if want := map[bool]string{false: "purges", true: "candidates (the fan-out job alone)"}[walkOnly]; line[1] != want || (line[2] != "3" && line[2] != "4") || line[3] == "0" {
			t.Fatalf("ripple %v: read %q in %s steps, RSS at a tenth %s MiB; want %s in 3 steps (4 if the store has a cursor after the last full batch), a RSS:\n%s", args, line[1], line[2], line[3], want, errs.String())
		}
	}
}
