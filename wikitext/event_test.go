package wikitext

import (
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/schemas"
)

// pageDependencies is a ripple/page/dependencies event that embeds Deps,
// as a producer builds it.
type pageDependencies struct {
	event.Envelope
	WikiID string `json:"wiki_id"`
	Page   struct {
		PageID      int64  `json:"page_id"`
		PageTitle   string `json:"page_title"`
		NamespaceID int    `json:"namespace_id"`
	} `json:"page"`
	RevID int64 `json:"rev_id"`
	Deps
}

// TestDepsFitsTheEventSchema checks that Deps embedded in an event gives a
// valid /ripple/page/dependencies/2.0.0 event, for the articles and for a
// page without dependencies (whose lists must encode as [], not null).
func TestDepsFitsTheEventSchema(t *testing.T) {
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	cases := append(articles(), articleCase{name: "empty", title: "Empty", text: "Just text."})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse("enwiki", tc.title, tc.text, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			ev := pageDependencies{
				Envelope: event.New("/ripple/page/dependencies/2.0.0", "ripple.page_dependencies", time.Now()),
				WikiID:   "enwiki",
				RevID:    1249327111,
				Deps:     d,
			}
			ev.Page.PageID, ev.Page.PageTitle = 8091, "Douglas_Adams"
			data, err := event.JSON[pageDependencies]{}.Encode(ev)
			if err != nil {
				t.Fatal(err)
			}
			if err := repo.Validate(data); err != nil {
				t.Fatalf("%v\n%s", err, data)
			}
		})
	}
}
