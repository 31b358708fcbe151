package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

func TestDepsGenReplayExplain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var work, errOut bytes.Buffer
	if err := run(ctx, []string{"deps", "gen", "--pages", "200", "--templates", "20", "--entities", "30", "--changes", "300",
		"--score", "pebble:" + filepath.Join(dir, "score")}, &work, &errOut); err != nil {
		t.Fatalf("gen: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "precision 1.0000, recall 1.0000") {
		t.Fatalf("gen --score did not report exact propagation:\n%s", errOut.String())
	}
	in := filepath.Join(dir, "work.jsonl")
	// A line nobody can route must be reported and skipped, not stop the replay.
	if err := os.WriteFile(in, append(work.Bytes(), []byte("{\"$schema\":\"/nope/1.0.0\"}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	var purges bytes.Buffer
	errOut.Reset()
	err := run(ctx, []string{"deps", "replay", "--store", "pebble:" + filepath.Join(dir, "g"), "--in", in}, &purges, &errOut)
	if err == nil || !strings.Contains(err.Error(), "1 of") {
		t.Fatalf("replay with one bad line: err = %v", err)
	}
	if !strings.Contains(errOut.String(), "is not an input of dependency tracking") || !strings.Contains(errOut.String(), "1 bad") {
		t.Fatalf("bad line not reported:\n%s", errOut.String())
	}
	lines := strings.Count(purges.String(), "\n")
	if lines == 0 || !strings.Contains(purges.String(), `"/resource_change/1.0.0"`) {
		t.Fatalf("replay printed %d purge lines", lines)
	}
	var explain bytes.Buffer
	if err := run(ctx, []string{"deps", "explain", "--store", "pebble:" + filepath.Join(dir, "g"), "--page", "Article_1"}, &explain, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(explain.String(), "is purged when") || !strings.Contains(explain.String(), "transcludes it") {
		t.Fatalf("explain:\n%s", explain.String())
	}
	// A documented template renders Template:Documentation on its own
	// page only, and passes on the rest with a digest.
	documented := false
	for i := 0; i < 10 && !documented; i++ {
		var tpl bytes.Buffer
		if err := run(ctx, []string{"deps", "explain", "--store", "pebble:" + filepath.Join(dir, "g"), "--page", fmt.Sprintf("Template:T%d", i)}, &tpl, &errOut); err != nil {
			t.Fatal(err)
		}
		out := tpl.String()
		documented = strings.Contains(out, "Template:Documentation is edited: it transcludes it") &&
			strings.Contains(out, "<noinclude> parts left out") && strings.Contains(out, "Digest of what it passes on: ")
		if strings.Contains(out, "Template:Documentation is edited: its transcluders") {
			t.Fatalf("explain of a template passes Template:Documentation on:\n%s", out)
		}
	}
	if !documented {
		t.Fatal("explain shows no documented template among Template:T0 - T9")
	}
	var dependents bytes.Buffer
	if err := run(ctx, []string{"deps", "dependents", "--store", "pebble:" + filepath.Join(dir, "g"), "Template:T0"}, &dependents, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dependents.String(), "enwiki:") {
		t.Fatalf("dependents of the most used template:\n%s", dependents.String())
	}
}

func TestDepsStoreSpec(t *testing.T) {
	for _, spec := range []string{"", "pebble", "pebble:", "redis:localhost:1"} {
		if _, err := openStore(context.Background(), spec); err == nil {
			t.Errorf("openStore(%q) did not fail", spec)
		}
	}
}

func TestDepsParseAndAspects(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.wikitext")
	os.WriteFile(page, []byte("{{Infobox person}} [[Towel Day]] {{#invoke:Citation|cite}} {{#property:P31}} [[File:Towel.jpg|thumb]]"), 0o644)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"deps", "parse", "--title", "Douglas_Adams", "--page-id", "8091", "--rev", "7",
		"--entity", "Q42", "--in", page}, &out, &errOut); err != nil {
		t.Fatalf("parse: %v\n%s", err, errOut.String())
	}
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Validate(bytes.TrimSpace(out.Bytes())); err != nil {
		t.Fatalf("parse output does not validate: %v\n%s", err, out.String())
	}
	for _, want := range []string{`"Template:Infobox_person"`, `"Module:Citation"`, `"Towel_Day"`, `"File:Towel.jpg"`, `"C.P31"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("parse output lacks %s: %s", want, out.String())
		}
	}

	// The page's title is normalized and names its namespace; a parse
	// needs the revision the text belongs to.
	out.Reset()
	if err := run(context.Background(), []string{"deps", "parse", "--title", "template:infobox  person", "--rev", "3", "--in", page}, &out, &errOut); err != nil {
		t.Fatalf("parse of a template: %v", err)
	}
	if want := `"page":{"page_id":0,"page_title":"Template:Infobox_person","namespace_id":10}`; !strings.Contains(out.String(), want) {
		t.Errorf("parse of a template: %s; want %s", out.String(), want)
	}
	if err := run(context.Background(), []string{"deps", "parse", "--title", "Douglas_Adams", "--in", page}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--rev") {
		t.Errorf("parse without --rev: %v; want an error that asks for it", err)
	}

	prior := filepath.Join(dir, "prior.json")
	next := filepath.Join(dir, "next.json")
	os.WriteFile(prior, []byte(`{"id":"Q42","type":"item","labels":{"en":{"language":"en","value":"Douglas Adams"}},"claims":{}}`), 0o644)
	os.WriteFile(next, []byte(`{"id":"Q42","type":"item","labels":{"en":{"language":"en","value":"Douglas Noel Adams"}},"claims":{}}`), 0o644)
	out.Reset()
	if err := run(context.Background(), []string{"deps", "aspects", "--prior", prior, "--next", next}, &out, &errOut); err != nil {
		t.Fatalf("aspects: %v", err)
	}
	if strings.TrimSpace(out.String()) != `["L.en"]` {
		t.Fatalf("aspects = %s, want [\"L.en\"]", out.String())
	}
}

// TestDepsReplaySites: --sites adds wikis to the shipped table and
// --mobile adds mobile URLs; a bad site table stops the command.
func TestDepsReplaySites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sites := filepath.Join(dir, "sites.yaml")
	if err := os.WriteFile(sites, []byte("intranetwiki:\n  server: https://wiki.example.org\n  mobile_server: https://m.wiki.example.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.jsonl")
	edit := `{"$schema":"/mediawiki/page/change/1.2.0","meta":{"stream":"mediawiki.page_change.v1","dt":"2026-11-01T00:00:00Z"},` +
		`"dt":"2026-11-01T00:00:00Z","wiki_id":"%s","page_change_kind":"edit","page":{"page_id":1,"page_title":"C++","namespace_id":0}}` + "\n"
	if err := os.WriteFile(in, []byte(strings.ReplaceAll(edit, "%s", "intranetwiki")+strings.ReplaceAll(edit, "%s", "enwiki")), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"deps", "replay", "--store", "pebble:" + filepath.Join(dir, "g"), "--in", in, "--sites", sites, "--mobile"}, &out, &errOut); err != nil {
		t.Fatalf("replay: %v\n%s", err, errOut.String())
	}
	for _, uri := range []string{"https://wiki.example.org/wiki/C%2B%2B", "https://m.wiki.example.org/wiki/C%2B%2B",
		"https://en.wikipedia.org/wiki/C%2B%2B", "https://en.m.wikipedia.org/wiki/C%2B%2B"} {
		if !strings.Contains(out.String(), `"uri":"`+uri+`"`) {
			t.Errorf("no purge of %s in:\n%s", uri, out.String())
		}
	}
	if err := os.WriteFile(sites, []byte("intranetwiki:\n  server: wiki.example.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(ctx, []string{"deps", "replay", "--store", "pebble:" + filepath.Join(dir, "g2"), "--in", in, "--sites", sites}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--sites") || !strings.Contains(err.Error(), "intranetwiki") {
		t.Fatalf("replay with a bad site table: err = %v", err)
	}
}
