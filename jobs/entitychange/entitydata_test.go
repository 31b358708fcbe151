package entitychange_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/jobs/entitychange"
	"github.com/ripplestream/ripple/processor"
)

// TestEntityData fetches revisions from a server answering as
// Special:EntityData does, and feeds the job with it.
func TestEntityData(t *testing.T) {
	item := entityJSON(t, "item")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.RequestURI() {
		case "/wiki/Special:EntityData/Q34987.json?revision=686138":
			if r.Header.Get("User-Agent") != "ripple-test/1.0" {
				http.Error(w, "no user agent", http.StatusForbidden)
				return
			}
			w.Write([]byte(`{"entities":{"Q34987":` + string(item) + `}}`))
		case "/wiki/Special:EntityData/Q34987.json?revision=686139":
			w.Write(entityJSON(t, "item", relabelDe))
		case "/wiki/Special:EntityData/Q34987.json?revision=1":
			http.Error(w, "busy", http.StatusServiceUnavailable)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	source := entitychange.EntityData{Sites: propagate.Sites{"wikidatawiki": {Server: srv.URL}}, Client: srv.Client(), UserAgent: "ripple-test/1.0"}
	ctx := context.Background()
	if _, err := source.EntityJSON(ctx, "wikidatawiki", "Q34987", 2); !errors.Is(err, entitychange.ErrNoRevision) {
		t.Errorf("a missing revision: %v, want ErrNoRevision", err)
	}
	if _, err := source.EntityJSON(ctx, "wikidatawiki", "Q34987", 1); !processor.IsUnavailable(err) {
		t.Errorf("a 503: %v, want an Unavailable error", err)
	}
	if _, err := source.EntityJSON(ctx, "enwiki", "Q34987", 1); !errors.Is(err, propagate.ErrUnknownWiki) {
		t.Errorf("a wiki outside the table: %v, want ErrUnknownWiki", err)
	}

	h, cfg := harness(t, entitychange.Config{Source: source})
	h.SendJSON(cfg.Input, "wikidatawiki:Q34987", pageChange(t, "item-edit.json", "Q34987", nil))
	wantAspects(t, changes(t, h, cfg), "Q34987", 686139, "L.de")
}
