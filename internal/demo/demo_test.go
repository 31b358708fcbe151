package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
			err := tt.cfg.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && (tt.cfg.Events <= 0 || tt.cfg.Pages <= 0 || tt.cfg.Timeout <= 0) {
				t.Fatalf("defaults not filled: %+v", tt.cfg)
			}
		})
	}
}

func TestChangepropOnEmbeddedBroker(t *testing.T) {
	var out bytes.Buffer
	res, err := RunChangeprop(context.Background(), Config{Events: 300, Pages: 400, Seed: 3}, &out)
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	if res.Changes != 300 || res.Purges == 0 || res.Candidates < res.Purges || res.Broad <= res.Purges {
		t.Fatalf("implausible result %+v\n%s", res, out.String())
	}
	for _, want := range []string{"processed 300 changes", "purged", "broad approach"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}
