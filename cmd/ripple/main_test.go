package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestHelpListsCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"help"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, c := range newRoot(nil, nil).Commands() {
		if !c.Hidden && !strings.Contains(out.String(), "\n  "+c.Name()+" ") {
			t.Errorf("help does not list %q:\n%s", c.Name(), out.String())
		}
	}
}

func TestUnknownCommandSaysWhatToDo(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Fatalf("got %v, want an unknown-command error", err)
	}
	if !strings.Contains(err.Error(), "ripple --help") {
		t.Errorf("the error does not say where the commands are: %v", err)
	}
}

func TestDemoCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"demo", "--job", "pagestats", "--events", "300", "--pages", "20"}, &out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "processed 300 events") {
		t.Fatalf("unexpected demo output:\n%s", out.String())
	}
}
