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
	if sent < 590 || sent > 600 || purges < sent/2 || strings.TrimSpace(row[4]) == "0s" {
		t.Fatalf("sent %d, purges %d, p50 %s: want ~600 changes at 200/s for 3 s, their purges and a latency:\n%s", sent, purges, row[4], out.String())
	}
	t.Logf("\n%s", out.String())
}
