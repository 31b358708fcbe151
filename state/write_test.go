package state_test

import (
	"testing"

	"github.com/lovoo/goka/storage"

	"github.com/ripplestream/ripple/state"
)

// TestWriteAppliesMutationsAndOffset checks state.Write on Pebble (one
// batch) and on goka's memory storage (one by one): sets, deletes and the
// offset all land, and a reopened Pebble store has them.
func TestWriteAppliesMutationsAndOffset(t *testing.T) {
	dir := t.TempDir()
	pebble := openStore(t, state.Config{Dir: dir})
	must(t, pebble.MarkRecovered()) // the recovery-mode path is covered by reopen_test
	for name, st := range map[string]storage.Storage{"pebble": pebble, "memory": storage.NewMemory()} {
		t.Run(name, func(t *testing.T) {
			if err := st.Set("gone", []byte("x")); err != nil {
				t.Fatal(err)
			}
			muts := []state.Mutation{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("2")}, {Key: "gone", Delete: true}, {Key: "a", Value: []byte("3")}}
			if err := state.Write(st, muts, 41); err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string]string{"a": "3", "b": "2", "gone": ""} {
				if got, err := st.Get(key); err != nil || string(got) != want {
					t.Errorf("%s = %q (%v), want %q", key, got, err, want)
				}
			}
			if off, err := st.GetOffset(-1); err != nil || off != 41 {
				t.Errorf("offset = %d (%v), want 41", off, err)
			}
			// No offset: the stored one stays.
			if err := state.Write(st, []state.Mutation{{Key: "c", Value: []byte("4")}}, -1); err != nil {
				t.Fatal(err)
			}
			if off, _ := st.GetOffset(-1); off != 41 {
				t.Errorf("offset after a write without one = %d, want 41", off)
			}
		})
	}
	if err := pebble.Close(); err != nil {
		t.Fatal(err)
	}
	again := openStore(t, state.Config{Dir: dir})
	defer again.Close()
	if got, _ := again.Get("a"); string(got) != "3" {
		t.Errorf("after reopen a = %q, want 3", got)
	}
	if off, _ := again.GetOffset(-1); off != 41 {
		t.Errorf("after reopen offset = %d, want 41", off)
	}
}
