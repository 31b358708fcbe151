package event

import (
	"errors"
	"strings"
	"testing"
)

// pageChangeFields is a little of what a page change holds, enough to check
// what Validated decodes.
type pageChangeFields struct {
	WikiID string `json:"wiki_id"`
	Page   struct {
		PageTitle string `json:"page_title"`
	} `json:"page"`
}

func pageChangeCodec(t testing.TB) Validated[pageChangeFields] {
	return Validated[pageChangeFields]{
		Schemas: openRepo(t, wmf(t, "schemas-event-primary")),
		Title:   "mediawiki/page/change",
		What:    "a page change",
	}
}

// TestValidatedAcceptsCapturedEvents decodes the 13 captured page changes.
func TestValidatedAcceptsCapturedEvents(t *testing.T) {
	codec := pageChangeCodec(t)
	for _, file := range capturedPageChanges(t) {
		ev, err := codec.Decode(readFixture(t, file))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if ev.WikiID == "" || ev.Page.PageTitle == "" {
			t.Errorf("%s: decoded %+v", file, ev)
		}
	}
}

// TestValidatedRejects checks the reason for each kind of wrong event.
func TestValidatedRejects(t *testing.T) {
	codec := pageChangeCodec(t)
	valid := readFixture(t, capturedPageChanges(t)[3])
	edit := func(f func(map[string]any)) []byte {
		ev := decodeObject(t, valid)
		f(ev)
		return encode(t, ev)
	}
	tests := []struct {
		name   string
		data   []byte
		reason string
		is     error // what the error wraps
	}{
		{"no page", edit(func(ev map[string]any) { delete(ev, "page") }),
			"event: not a page change: no page (against /mediawiki/page/change/1.2.0)", ErrInvalid},
		{"no meta", edit(func(ev map[string]any) { delete(ev, "meta") }),
			"event: not a page change: no meta (against /mediawiki/page/change/1.2.0)", ErrInvalid},
		{"nested", edit(func(ev map[string]any) {
			rev := ev["revision"].(map[string]any)
			delete(rev, "rev_dt")
			rev["rev_id"] = "x"
			ev["extra"] = 1
		}), `event: not a page change: unexpected field extra; no revision.rev_dt; revision.rev_id: got string, want integer (against /mediawiki/page/change/1.2.0)`, ErrInvalid},
		{"another title", edit(func(ev map[string]any) { ev["$schema"] = "/resource_change/1.0.0" }),
			`event: not a page change: its $schema is "/resource_change/1.0.0", not /mediawiki/page/change/<version>`, ErrInvalid},
		{"no $schema", edit(func(ev map[string]any) { delete(ev, "$schema") }),
			"event: not a page change: no $schema (want /mediawiki/page/change/<version>)", ErrInvalid},
		{"unknown version", edit(func(ev map[string]any) { ev["$schema"] = "/mediawiki/page/change/9.0.0" }),
			"event: not a page change: its $schema /mediawiki/page/change/9.0.0 is not in the schema repository (versions [1.0.0 1.1.0 1.2.0])", ErrSchemaNotFound},
		{"not an object", []byte(`[1]`), "event: not a page change: not a JSON object", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := codec.Decode(tt.data)
			var we *WrongEventError
			if !errors.As(err, &we) || !errors.Is(err, tt.is) {
				t.Fatalf("got %v (%T), want a *WrongEventError wrapping %v", err, err, tt.is)
			}
			if err.Error() != tt.reason {
				t.Errorf("reason\n got %s\nwant %s", err, tt.reason)
			}
		})
	}
	if _, err := codec.Decode([]byte(`{"$schema":`)); !strings.Contains(err.Error(), "decode json") {
		t.Errorf("truncated JSON: got %v, want a decode error", err)
	}
}

// BenchmarkValidatedDecode measures what validation adds to decoding a
// captured page change (item-edit.json):
//
//	go test -run '^$' -bench BenchmarkValidatedDecode ./event/
func BenchmarkValidatedDecode(b *testing.B) {
	data := readFixture(b, wmf(b, "wikidata-query-rdf", "streaming-updater-producer", "src", "test", "resources", "page_change_events", "wikibase", "item-edit.json"))
	validated := pageChangeCodec(b)
	for _, bc := range []struct {
		name  string
		codec Codec[pageChangeFields]
	}{{"json", JSON[pageChangeFields]{}}, {"validated", validated}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for range b.N {
				if _, err := bc.codec.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
