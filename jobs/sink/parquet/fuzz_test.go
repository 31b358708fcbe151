package parquet

import (
	"bytes"
	"errors"
	"testing"

	pq "github.com/parquet-go/parquet-go"
)

// FuzzRow feeds arbitrary JSON to the row builder of a real schema (with
// lists, maps and nested groups): it never panics, and a row it accepts is
// one Parquet writes and reads back unchanged.
func FuzzRow(f *testing.F) {
	repo := testRepository(f)
	s := mapTestSchema(f, repo, revisionCreate)
	examples, err := repo.Examples(revisionCreate)
	if err != nil {
		f.Fatal(err)
	}
	for _, ex := range examples {
		f.Add(ex)
	}
	f.Add([]byte(`{"rev_slots":{},"performer":{"user_groups":[]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := decodeEvent(data)
		if err != nil {
			return
		}
		row, err := s.Row(doc)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Row error %v is not a *FieldError", err)
			}
			return
		}
		var buf bytes.Buffer
		w := pq.NewWriter(&buf, s.Parquet())
		if _, err := w.WriteRows([]pq.Row{row}); err != nil {
			t.Fatalf("WriteRows of an accepted row: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got := make([]pq.Row, 1)
		if n, _ := pq.NewReader(bytes.NewReader(buf.Bytes())).ReadRows(got); n != 1 || !got[0].Equal(row) {
			t.Fatalf("read back %v, wrote %v", got[0], row)
		}
	})
}
