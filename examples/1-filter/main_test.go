package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "2 of 5 events passed") || !strings.Contains(got, "Douglas_Adams") ||
		!strings.Contains(got, "Towel_Day") || strings.Contains(got, "Berlin") || strings.Contains(got, "Infobox") {
		t.Fatalf("unexpected output:\n%s", got)
	}
}
