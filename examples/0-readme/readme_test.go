package main

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeShowsThisJob keeps the repository README's job the same as
// this file, which the build compiles: the README's code is the whole of
// main.go, in its first Go block.
func TestReadmeShowsThisJob(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```go\n")
	if !ok {
		t.Fatal("README.md has no Go block")
	}
	block, _, _ = strings.Cut(block, "```\n")
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if block != string(src) {
		t.Errorf("README.md's job differs from examples/0-readme/main.go: copy the file into the README's Go block")
	}
	if err := job.Validate(); err != nil {
		t.Errorf("the README's job: %v", err)
	}
}
