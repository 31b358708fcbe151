package depstest

import (
	"fmt"
	"testing"
)

func TestUnchanged(t *testing.T) {
	a := NewArticles(8)
	const from, count = 13, 40
	last := map[string]int64{}
	var newest int64
	for i := range int64(count) {
		u, base := a.Unchanged(from, i), a.Event(from+i%8)
		if u.Page != base.Page || fmt.Sprint(u.Edges()) != fmt.Sprint(base.Edges()) {
			t.Fatalf("Unchanged(%d, %d) = %+v; want the page and set of event %d, %+v", from, i, u, from+i%8, base)
		}
		if u.RevID <= last[u.Page.Title] || u.RevID <= base.RevID {
			t.Fatalf("Unchanged(%d, %d): rev %d after %d and the stored %d; want a newer one", from, i, u.RevID, last[u.Page.Title], base.RevID)
		}
		last[u.Page.Title] = u.RevID
		newest = max(newest, u.RevID)
	}
	if next := a.Event(a.AfterUnchanged(from, count)); next.RevID <= newest {
		t.Errorf("the event after Unchanged has rev %d; want > %d", next.RevID, newest)
	}
	if fmt.Sprint(a.Event(5).Edges()) == fmt.Sprint(a.Event(13).Edges()) {
		t.Error("events of one page a revision apart have the same set; want changes")
	}
}
