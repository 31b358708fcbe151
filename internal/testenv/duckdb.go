package testenv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// DuckDB runs query with DuckDB in dir and returns its rows, each a map of
// column name to value as JSON decodes it (numbers as json.Number; a
// timestamp, a date or a decimal as its text). It runs the project's
// script deploy/local/duckdb, which installs DuckDB from PyPI on first use
// (into ~/.cache/ripple), so a test that reads Parquet files back needs
// nothing installed beforehand; it fails the test with DuckDB's message
// when the query fails.
func DuckDB(t testing.TB, dir, query string) []map[string]any {
	t.Helper()
	// The first run installs DuckDB, after waiting up to 10 minutes for
	// another test's install (the script's bound, RIPPLE_DUCKDB_LOCK_WAIT):
	// room for both on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	script := filepath.Join(RepoRoot(t), "deploy", "local", "duckdb")
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, script, "query", dir, query)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("deploy/local/duckdb query %s %q: %v\n%s", dir, query, err, stderr.Bytes())
	}
	var rows []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var row map[string]any
		if err := dec.Decode(&row); err != nil {
			t.Fatalf("deploy/local/duckdb printed %q, not a JSON row: %v", sc.Bytes(), err)
		}
		rows = append(rows, row)
	}
	return rows
}
