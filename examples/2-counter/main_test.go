package main

import (
	"bytes"
	"context"
	"testing"
)

func TestCounter(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	want := "Alpha  15 edits by 4 users\nBeta   15 edits by 4 users\nGamma  15 edits by 4 users\n3 milestone events\n"
	if out.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
