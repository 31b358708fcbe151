package dedupe

import (
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
)

func root(sig string, ms int) event.RootEvent { return event.RootEvent{Signature: sig, DT: at(ms)} }

func TestSupersedes(t *testing.T) {
	tests := []struct {
		name           string
		newRoot, saved event.RootEvent
		want           bool
	}{
		{"newer root proceeds", root("T", 10), root("T", 5), true},
		{"same root (one cascade) proceeds", root("T", 5), root("T", 5), true},
		{"older root is cut off", root("T", 4), root("T", 5), false},
		{"one nanosecond older is cut off", event.RootEvent{Signature: "T", DT: at(5).Add(-1)}, root("T", 5), false},
		{"other signature never cuts off", root("U", 1), root("T", 5), true},
		{"zero stored root cuts nothing", root("T", 1), event.RootEvent{Signature: "T"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Supersedes(tt.newRoot, tt.saved); got != tt.want {
				t.Fatalf("Supersedes(%v, %v) = %v, want %v", tt.newRoot, tt.saved, got, tt.want)
			}
		})
	}
}

func TestRootsAdmit(t *testing.T) {
	type step struct {
		root  event.RootEvent
		now   int
		admit bool
	}
	tests := []struct {
		name  string
		r     Roots
		steps []step
	}{
		{"a newer cascade cuts off the older one", Roots{}, []step{
			{root("T", 100), 150, true}, {root("T", 100), 160, true}, {root("T", 200), 250, true},
			{root("T", 100), 260, false}, {root("T", 200), 270, true},
		}},
		{"signatures are independent", Roots{}, []step{
			{root("T", 200), 250, true}, {root("U", 100), 260, true}, {root("T", 100), 270, false},
		}},
		{"a stale root does not replace the newest", Roots{}, []step{
			{root("T", 200), 250, true}, {root("T", 100), 260, false}, {root("T", 150), 270, false},
		}},
		{"forgotten after TTL", Roots{TTL: time.Second}, []step{
			{root("T", 200), 0, true}, {root("T", 100), 999, false}, {root("T", 100), 1000, true},
		}},
		{"full: the least recently recorded goes", Roots{Max: 2}, []step{
			{root("A", 500), 0, true}, {root("B", 500), 1, true}, {root("A", 600), 2, true},
			{root("C", 500), 3, true}, // forgets B, not the re-recorded A
			{root("A", 100), 4, false}, {root("B", 100), 5, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			for i, s := range tt.steps {
				if got := r.Admit(s.root, at(s.now)); got != s.admit {
					t.Fatalf("step %d: Admit(%s@%v) = %v, want %v", i, s.root.Signature, s.root.DT, got, s.admit)
				}
			}
		})
	}
}

func TestRootsNewestAndEncoding(t *testing.T) {
	var r Roots
	r.Admit(event.RootEvent{Signature: "T", DT: at(100).Add(700 * time.Microsecond)}, at(150))
	b, _ := r.MarshalBinary()
	var got Roots
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	// Stored to the millisecond: rounding down can only let a stale event
	// through.
	if dt, ok := got.Newest("T", at(200)); !ok || !dt.Equal(at(100)) {
		t.Fatalf("Newest = %v %v, want %v", dt, ok, at(100))
	}
	if !got.Admit(event.RootEvent{Signature: "T", DT: at(100).Add(500 * time.Microsecond)}, at(300)) {
		t.Fatal("a root within the stored millisecond was cut off")
	}
	if _, ok := got.Newest("U", at(200)); ok {
		t.Fatal("unknown signature has a newest root")
	}
}

func TestRedundant(t *testing.T) {
	rootAt := func(ms int) *event.RootEvent { r := root("T", ms); return &r }
	tests := []struct {
		name             string
		lastRun, created int // ms; -1 is the zero time
		root             *event.RootEvent
		want             bool
	}{
		{"never ran", -1, 0, nil, false},
		{"created before the last run", 5000, 3000, nil, true},
		{"created after the last run", 5000, 6000, nil, false},
		{"created within the slack", 5000, 4500, nil, false},
		{"created exactly slack before", 5000, 4000, nil, false},
		{"root before the last run", 5000, 6000, rootAt(3000), true},
		{"root within the slack", 5000, 6000, rootAt(4200), false},
		{"unknown creation time", 5000, -1, nil, false},
		{"unknown root time", 5000, 6000, &event.RootEvent{Signature: "T"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := func(ms int) time.Time {
				if ms < 0 {
					return time.Time{}
				}
				return at(ms)
			}
			if got := Redundant(tm(tt.lastRun), tm(tt.created), tt.root); got != tt.want {
				t.Fatalf("Redundant = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSHA1(t *testing.T) {
	type params struct {
		Title string `json:"title"`
		NS    int    `json:"namespace"`
	}
	a, err := SHA1(map[string]any{"type": "htmlCacheUpdate", "params": map[string]any{"b": 1, "a": []int{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SHA1(map[string]any{"params": map[string]any{"a": []int{1, 2}, "b": 1}, "type": "htmlCacheUpdate"})
	if a != b || len(a) != 40 {
		t.Fatalf("map order changed the sha1: %s %s", a, b)
	}
	c, _ := SHA1(params{Title: "Main_Page", NS: 0})
	d, _ := SHA1(params{Title: "Main_Page", NS: 1})
	if c == d {
		t.Fatal("different fields, same sha1")
	}
	// echo -n '{"title":"Main_Page","namespace":0}' | sha1sum
	if want := "18fc7bedaca9b4315610f5b4720ee45b4d214279"; c != want {
		t.Fatalf("sha1 = %s, want %s", c, want)
	}
	if _, err := SHA1(func() {}); err == nil {
		t.Fatal("SHA1 of a func did not fail")
	}
}
