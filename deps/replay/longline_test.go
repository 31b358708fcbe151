package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/replay"
	"github.com/ripplestream/ripple/event"
)

func depsLine(t *testing.T, title string) string {
	t.Helper()
	j, err := json.Marshal(deps.PageDependencies{
		Envelope: event.Envelope{Schema: deps.DependenciesSchema, Meta: event.Meta{Stream: "deps", DT: start}, DT: start},
		WikiID:   "enwiki", Page: deps.EventPage{PageID: 1, PageTitle: title}, RevID: 1, Templates: []string{"Template:X"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(j)
}

// TestOversizedLineIsBad: a line over MaxLine is a bad line, skipped; the
// dependency sets before it (still in a batch when it is read) and after
// it are stored.
func TestOversizedLineIsBad(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	in := depsLine(t, "Before") + "\n" + `{"x":"` + strings.Repeat("x", replay.MaxLine) + `"}` + "\n" + depsLine(t, "After") + "\n"
	var errs bytes.Buffer
	sum, err := replay.Run(context.Background(), store, strings.NewReader(in), io.Discard, &errs, replay.Config{})
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	if sum.Bad != 1 || sum.Lines != 3 || sum.Dependencies != 2 || !strings.Contains(errs.String(), "line 2: line of 16777224 bytes, over the limit") {
		t.Fatalf("summary %v, messages %q", sum, errs.String())
	}
	for _, title := range []string{"Before", "After"} {
		if _, ok, err := store.Page(context.Background(), "enwiki", title); !ok || err != nil {
			t.Errorf("%s not stored (%v)", title, err)
		}
	}
}

// failingReader returns its data, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestReadErrorKeepsTheLinesBefore: when the input fails, the dependency
// sets read before are stored, not lost with the batch.
func TestReadErrorKeepsTheLinesBefore(t *testing.T) {
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	broken := errors.New("disk on fire")
	var lines []string
	for i := range 10 {
		lines = append(lines, depsLine(t, fmt.Sprintf("P%d", i)))
	}
	in := &failingReader{data: []byte(strings.Join(lines, "\n") + "\n"), err: broken}
	_, err = replay.Run(context.Background(), store, in, io.Discard, io.Discard, replay.Config{})
	if !errors.Is(err, broken) {
		t.Fatalf("replay of a failing input: %v", err)
	}
	for i := range 10 {
		if _, ok, err := store.Page(context.Background(), "enwiki", fmt.Sprintf("P%d", i)); !ok || err != nil {
			t.Errorf("P%d not stored (%v)", i, err)
		}
	}
}
