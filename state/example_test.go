package state_test

import (
	"fmt"
	"log"
	"os"
	"strconv"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"
	"github.com/ripplestream/ripple/state"
)

// A store replays a changelog in recovery mode, then serves a job.
func ExampleStore() {
	dir, err := os.MkdirTemp("", "state-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	st, err := state.New(state.Config{Dir: dir})
	if err != nil {
		log.Fatal(err)
	}
	if err := st.Open(); err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	// Recovery: goka writes each changelog message, then its offset.
	_ = st.Set("page/1", []byte("rev 10"))
	_ = st.SetOffset(0)
	_ = st.MarkRecovered()

	// Normal mode: write a value and its changelog offset atomically.
	_ = st.SetWithOffset("page/2", []byte("rev 11"), 1)

	v, _ := st.Get("page/2")
	off, _ := st.GetOffset(-1)
	fmt.Printf("%s at offset %d\n", v, off)
	// Output: rev 11 at offset 1
}

// IteratorWithRange follows goka's LevelDB storage: an empty limit means
// "keys with this prefix"; IteratorWithBounds has no such rule.
func ExampleStore_IteratorWithRange() {
	dir, _ := os.MkdirTemp("", "state-example")
	defer os.RemoveAll(dir)
	st, _ := state.New(state.Config{Dir: dir})
	_ = st.Open()
	defer st.Close()
	for _, k := range []string{"en/Apple", "en/Pear", "fr/Pomme"} {
		_ = st.Set(k, nil)
	}

	it, _ := st.IteratorWithRange([]byte("en/"), nil)
	for it.Next() {
		fmt.Println("prefix:", string(it.Key()))
	}
	it.Release()

	it, _ = st.IteratorWithBounds([]byte("en/P"), nil)
	for it.Next() {
		fmt.Println("from en/P:", string(it.Key()))
	}
	it.Release()
	// Output:
	// prefix: en/Apple
	// prefix: en/Pear
	// from en/P: en/Pear
	// from en/P: fr/Pomme
}

type intCodec struct{}

func (intCodec) Encode(n int) ([]byte, error) { return []byte(strconv.Itoa(n)), nil }
func (intCodec) Decode(b []byte) (int, error) { return strconv.Atoi(string(b)) }

func ExampleGetTyped() {
	dir, _ := os.MkdirTemp("", "state-example")
	defer os.RemoveAll(dir)
	st, _ := state.New(state.Config{Dir: dir})
	_ = st.Open()
	defer st.Close()

	_ = state.SetTyped(st, intCodec{}, "edits/en.wikipedia.org", 41)
	n, ok, _ := state.GetTyped(st, intCodec{}, "edits/en.wikipedia.org")
	fmt.Println(n+1, ok)
	_, ok, _ = state.GetTyped(st, intCodec{}, "edits/de.wikipedia.org")
	fmt.Println(ok)
	// Output:
	// 42 true
	// false
}

// Builder plugs the Pebble store into a goka processor or view; each
// partition gets its own database under Dir, and all share one block cache.
func ExampleBuilder() {
	graph := goka.DefineGroup("dedupe",
		goka.Input("events", new(codec.String), func(ctx goka.Context, msg any) {
			if ctx.Value() == nil {
				ctx.SetValue("seen")
				ctx.Emit("events-deduped", ctx.Key(), msg)
			}
		}),
		goka.Output("events-deduped", new(codec.String)),
		goka.Persist(new(codec.String)),
	)
	p, err := goka.NewProcessor([]string{"localhost:9092"}, graph,
		goka.WithStorageBuilder(state.Builder(state.Config{Dir: "/var/lib/ripple/state"})))
	if err != nil {
		log.Fatal(err)
	}
	_ = p // p.Run(ctx) blocks until ctx is cancelled.
}
