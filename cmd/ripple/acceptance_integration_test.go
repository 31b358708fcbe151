//go:build integration

package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ripplestream/ripple/internal/testenv"
	"github.com/ripplestream/ripple/topology/intake"
)

// TestIntegrationIntakeToSinks is the acceptance of issue 15, end to end
// on the real services, as an operator runs it: a page in a real headless
// Chromium throws JavaScript errors and beacons each to `ripple intake`,
// which validates them against Wikimedia's mediawiki/client/error schema
// and produces them to Kafka; `ripple run` runs a topology whose errorlog
// job fingerprints, de-duplicates and rate-limits them, a sink-postgres
// job upserts the error log into PostgreSQL by fingerprint and a
// sink-parquet job files the raw stream as Parquet by hour; the test
// queries PostgreSQL and, through DuckDB, the Parquet files.
func TestIntegrationIntakeToSinks(t *testing.T) {
	kc := testenv.Kafka(t)
	pgURL := testenv.Postgres(t)
	brokers := strings.Join(kc.Brokers, ",")
	var r [4]byte
	for i := range r {
		r[i] = byte(rand.IntN(256))
	}
	id := hex.EncodeToString(r[:])
	prefix := testenv.Name(t, "accept") + "."
	t.Cleanup(func() { deleteTopicsWithPrefix(t, kc.Brokers, prefix) })
	t.Setenv("RIPPLE_ACCEPT_PG_URL", pgURL)
	table := "accept_client_errors_" + id
	parquetDir := t.TempDir()
	errors, log := prefix+"mediawiki.client.error", prefix+"client_error_log"
	file := filepath.Join(t.TempDir(), "accept.yaml")
	topo := fmt.Sprintf(`
streams:
  %[1]s:
    partitions: 2
    schema: mediawiki/client/error
  %[3]serrorlog.fingerprinted:
    partitions: 2
  %[2]s:
    partitions: 2
  %[3]sclient_error_summaries:
    partitions: 2
    schema: ripple/ratelimit/summary
jobs:
  %[3]serrorlog:
    kind: errorlog
    inputs:
      client_errors: %[1]s
    outputs:
      errors: %[2]s
      summaries: %[3]sclient_error_summaries
  %[3]sto-postgres:
    kind: sink-postgres
    inputs:
      events: %[2]s
    config:
      url: ${RIPPLE_ACCEPT_PG_URL}
      table: %[4]s
      create_table: true
      columns:
        - {name: fingerprint, pointer: /fingerprint, required: true}
        - {name: error_class, pointer: /error_class}
        - {name: message, pointer: /message}
      batch_wait: 20ms
  %[3]sto-parquet:
    kind: sink-parquet
    inputs:
      events: %[1]s
    config:
      dir: %[5]s
      schema: /mediawiki/client/error/2.0.0
      batch_wait: 20ms
`, errors, log, prefix, table, parquetDir)
	if err := os.WriteFile(file, []byte(topo), 0o644); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) string {
		t.Helper()
		var out, errs strings.Builder
		if err := run(context.Background(), append(args, "--brokers", brokers), &out, &errs); err != nil {
			t.Fatalf("ripple %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errs.String())
		}
		return out.String()
	}
	cli("topology", "plan", file, "--apply")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runLogs, intakeLogs := &testenv.Buffer{}, &testenv.Buffer{}
	runDone, intakeDone := make(chan error, 1), make(chan error, 1)
	metrics, intakeAddr := freeAddr(t), freeAddr(t)
	go func() {
		runDone <- run(ctx, []string{"run", file, "--brokers", brokers, "--state-dir", t.TempDir(), "--metrics-addr", metrics}, io.Discard, runLogs)
	}()
	go func() {
		intakeDone <- run(ctx, []string{"intake", file, "--brokers", brokers, "--addr", intakeAddr}, io.Discard, intakeLogs)
	}()
	for _, u := range []string{"http://" + metrics + "/readyz", "http://" + intakeAddr + "/readyz"} {
		testenv.Eventually(t, 3*time.Minute, func() error {
			select {
			case err := <-runDone:
				t.Fatalf("ripple run stopped: %v\n%s", err, runLogs)
			case err := <-intakeDone:
				t.Fatalf("ripple intake stopped: %v\n%s", err, intakeLogs)
			default:
			}
			resp, err := http.Get(u)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: %s", u, resp.Status)
			}
			return nil
		})
	}

	// The browser: six uncaught errors of two kinds, each beaconed.
	const thrown = 6
	page := "http://" + intakeAddr + intake.ClientPath + "?" + url.Values{"stream": {errors}, "errors": {fmt.Sprint(thrown)}}.Encode()
	browser := testenv.Chromium(t, page)

	// PostgreSQL: the error log, one row per fingerprint (two kinds).
	conn, err := pgx.Connect(context.Background(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+table)
	})
	classes := map[string]string{}
	testenv.Eventually(t, 3*time.Minute, func() error {
		if exited, err := browser.Exited(); exited {
			t.Fatalf("Chromium exited (%v) before the errors were logged:\n%s", err, browser.Out)
		}
		rows, err := conn.Query(context.Background(), "SELECT fingerprint, error_class, message FROM "+table)
		if err != nil {
			return err
		}
		defer rows.Close()
		clear(classes)
		for rows.Next() {
			var fp, class, msg string
			if err := rows.Scan(&fp, &class, &msg); err != nil {
				return err
			}
			classes[class] = msg
			if fp == "" {
				return fmt.Errorf("a row without a fingerprint: %s %s", class, msg)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(classes) != 2 || classes["TypeError"] == "" || classes["ReferenceError"] == "" {
			return fmt.Errorf("the error log in PostgreSQL holds %v, want a TypeError and a ReferenceError (Chromium: %s)", classes, browser.Out)
		}
		return nil
	})
	if !strings.Contains(classes["ReferenceError"], "undefinedModule") {
		t.Errorf("the ReferenceError's message %q does not name what the page's script lacked", classes["ReferenceError"])
	}

	// Parquet: every beaconed error, once, read back by DuckDB.
	from := fmt.Sprintf("read_parquet('%s/**/*.parquet', hive_partitioning = true)", errors)
	var counts []map[string]any
	testenv.Eventually(t, 3*time.Minute, func() error {
		if _, err := os.Stat(filepath.Join(parquetDir, errors)); err != nil {
			return fmt.Errorf("no Parquet files yet: %v", err)
		}
		counts = testenv.DuckDB(t, parquetDir,
			"SELECT count(*) AS n, count(DISTINCT meta.id) AS ids, count(DISTINCT error_class) AS classes, min(meta.dt) IS NOT NULL AS dated, count(DISTINCT datehour) AS hours FROM "+from)
		if fmt.Sprint(counts[0]["n"]) != fmt.Sprint(thrown) {
			return fmt.Errorf("DuckDB reads %v events, want %d", counts[0]["n"], thrown)
		}
		return nil
	})
	c := counts[0]
	if fmt.Sprint(c["ids"]) != fmt.Sprint(thrown) || fmt.Sprint(c["classes"]) != "2" || c["dated"] != true {
		t.Errorf("the Parquet files hold %v: want %d events with distinct meta.id filled by the intake, 2 error classes, a meta.dt", c, thrown)
	}
	if h := fmt.Sprint(c["hours"]); h != "1" && h != "2" {
		t.Errorf("the events are filed under %s hours, want the hour they arrived in (or two, across an hour's end)", h)
	}

	cancel()
	for name, done := range map[string]chan error{"ripple run": runDone, "ripple intake": intakeDone} {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s stopped with %v", name, err)
			}
		case <-time.After(time.Minute):
			t.Errorf("%s did not stop within a minute of the cancel", name)
		}
	}
}
