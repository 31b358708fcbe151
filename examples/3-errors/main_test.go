package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"items counted: 7",
		"error topic: decode after 1 attempt(s): event: decode json",
		"error topic: handler after 1 attempt(s): order o2 has 0 items",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
