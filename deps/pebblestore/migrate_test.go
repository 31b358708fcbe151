package pebblestore

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"

	"github.com/ripplestream/ripple/deps"
)

// TestOpenMigratesFormat1 writes a database as format 1 had it (uses_file
// reverse keys with the wiki first), opens it and finds the users of the
// file on one wiki and on every wiki; a second open finds format 2.
func TestOpenMigratesFormat1(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []deps.PageDeps{
		{Wiki: "enwiki", Page: deps.PageRef{ID: 1, Title: "Berlin"}, RevID: 1, Files: []string{"File:Flag.svg"}, Templates: []string{"Template:Box"}},
		{Wiki: "dewiki", Page: deps.PageRef{ID: 2, Title: "Berlin"}, RevID: 1, Files: []string{"File:Flag.svg", "File:Map.png"}},
	} {
		if _, err := s.PutPage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Turn the database into format 1.
	db, err := pebble.Open(dir, &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	prefix := []byte{familyReverse, byte(deps.UsesFile)}
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: []byte{familyReverse, byte(deps.UsesFile) + 1}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for valid := it.First(); valid; valid = it.Next() {
		parts := bytes.SplitN(it.Key()[len(prefix):], []byte{sep}, 3) // file, wiki, title
		old := slices.Concat(prefix, parts[1], []byte{sep}, parts[0], []byte{sep}, parts[2])
		if err := b.Delete(it.Key(), nil); err != nil {
			t.Fatal(err)
		}
		if err := b.Set(old, it.Value(), nil); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("%d uses_file keys, want 3", n)
	}
	if err := b.Set([]byte{familyVersion}, binary.AppendUvarint(nil, 1), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		s, err := Open(Config{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			wiki, file string
			want       []string
		}{
			{"", "File:Flag.svg", []string{"dewiki:Berlin", "enwiki:Berlin"}},
			{"enwiki", "File:Flag.svg", []string{"enwiki:Berlin"}},
			{"", "File:Map.png", []string{"dewiki:Berlin"}},
		} {
			ds, _, err := s.Dependents(ctx, deps.Query{Wiki: c.wiki, Edge: deps.UsesFile, Target: c.file})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range ds {
				got = append(got, d.Wiki+":"+d.Page.Title)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("users of %s on %q: got %q, want %q", c.file, c.wiki, got, c.want)
			}
		}
		ds, _, err := s.Dependents(ctx, deps.Query{Wiki: "enwiki", Edge: deps.Transcludes, Target: "Template:Box"})
		if err != nil || len(ds) != 1 {
			t.Errorf("transcluders of Template:Box after the migration: %v, %v", ds, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
