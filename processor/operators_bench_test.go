package processor_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
	"github.com/ripplestream/ripple/internal/jsonscan"
	"github.com/ripplestream/ripple/processor/anomaly"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/processor/diff"
	"github.com/ripplestream/ripple/processor/filter"
	"github.com/ripplestream/ripple/processor/ratelimit"
	"github.com/ripplestream/ripple/processor/tokens"
	"github.com/ripplestream/ripple/processor/window"
)

// BenchmarkOperators measures each built-in operator as its stage runs it
// per event, minus Kafka, on one core and in memory: decode the raw event,
// decode the key's state from an in-memory store, apply the operator's
// core (its public API), encode the state back and, where the stage emits
// a new event per input, encode that event. Keys follow a Zipf law (a few
// hot keys, a long tail), as real streams do; each run starts from a store
// warmed up by 100,000 events (1,000 page changes), past the TTLs and
// windows below, so the state is at its steady size.
//
//   - dedupe: client-error events (about 390 bytes) on 10,000 keys, 1,000
//     a second of record time, one in ten a redelivery of a recent id of
//     the same key; TTL 1 min, MaxIDs 100.
//   - ratelimit: the same events and keys, 10 events a second per key in
//     bursts of 20, Sample policy, summaries each minute.
//   - window: the same events by their dt, up to 2 s out of order; 1-minute
//     tumbling windows counting events, 10 s lateness; JSON state.
//   - anomaly: the same events by their dt; the default detector.
//   - tokens, diff, filter: page-change events with content on 500 pages
//     (1, 4, 16 or 64 KB of wikitext: 30, 40, 25 and 5% of pages), each a
//     new revision editing about one line in 50; filter matches 10,000
//     keywords, case-insensitively, in the content (about one word in
//     2,000 is one of them).
//
// It reports events/s (per core: one goroutine) and state-B/key, the mean
// encoded state per key in the store at the end, as the stage stores it
// (filter is stateless).
//
//	go test -run '^$' -bench BenchmarkOperators -benchtime 3s ./processor/
func BenchmarkOperators(b *testing.B) {
	b.Run("dedupe", benchDedupe)
	b.Run("ratelimit", benchRateLimit)
	b.Run("tokens", benchTokens)
	b.Run("filter", benchFilter)
	b.Run("diff", benchDiff)
	b.Run("window", benchWindow)
	b.Run("anomaly", benchAnomaly)
}

var opT0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// store holds the encoded state of each key, as a job's state table does.
type store map[string][]byte

func reportOps(b *testing.B, s store) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	var size int
	for _, v := range s {
		size += len(v)
	}
	b.ReportMetric(float64(size)/float64(max(len(s), 1)), "state-B/key")
}

// eventMix is a ring of client-error events on Zipf-distributed keys. The
// ring repeats; the event time of event i is its dt plus the ring's span
// for each time round, so time keeps moving forward.
type eventMix struct {
	keys []string
	raws [][]byte
	span time.Duration
}

const mixSize = 1 << 16

func newEventMix(keys int) *eventMix {
	rng := rand.New(rand.NewPCG(11, 17))
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(keys-1))
	m := &eventMix{keys: make([]string, mixSize), raws: make([][]byte, mixSize), span: mixSize * time.Millisecond}
	last := map[string]string{} // key -> its last id
	for i := range mixSize {
		key := fmt.Sprintf("err-%d", zipf.Uint64())
		id := event.NewID()
		if prev, ok := last[key]; ok && rng.IntN(10) == 0 {
			id = prev // a redelivery
		}
		last[key] = id
		dt := opT0.Add(time.Duration(i)*time.Millisecond - time.Duration(i*7919%2000)*time.Millisecond)
		m.keys[i] = key
		m.raws[i] = fmt.Appendf(nil, `{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"mediawiki.client.error","id":%q,"dt":%q,"domain":"en.wikipedia.org"},"dt":%q,"message":"Uncaught TypeError: e is undefined","error_class":"TypeError","file_url":"https://en.wikipedia.org/w/load.php","url":"https://en.wikipedia.org/wiki/%s"}`,
			id, dt.Format(time.RFC3339Nano), dt.Format(time.RFC3339Nano), key)
	}
	return m
}

// at returns event i's key, raw event, record time (1 ms apart) and the
// time round to add to the times it carries.
func (m *eventMix) at(i int) (key string, raw []byte, now time.Time, round time.Duration) {
	return m.keys[i%mixSize], m.raws[i%mixSize], opT0.Add(time.Duration(i) * time.Millisecond), time.Duration(i/mixSize) * m.span
}

// run calls step for warm events untimed, then for b.N timed ones.
func run(b *testing.B, warm int, step func(i int)) {
	for i := range warm {
		step(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		step(warm + i)
	}
}

func benchDedupe(b *testing.B) {
	m := newEventMix(10_000)
	s := store{}
	codec := dedupe.StateCodec{}
	run(b, 100_000, func(i int) {
		key, raw, now, round := m.at(i)
		id, err := dedupe.MetaID(raw)
		if err != nil {
			b.Fatal(err)
		}
		id += fmt.Sprint(round) // ids are unique across time rounds
		var st dedupe.State
		if v := s[key]; v != nil {
			if st, err = codec.Decode(v); err != nil {
				b.Fatal(err)
			}
		}
		st.IDs.TTL, st.IDs.Max = time.Minute, 100
		if st.IDs.Seen(id, now) {
			return // a duplicate: no write
		}
		// The anchor of the key's expiry timer, as the stage keeps it.
		ms := now.UnixMilli()
		st.EventAt, st.SeenAt = ms, ms
		if st.TimerAt == 0 {
			st.TimerAt = ms + time.Minute.Milliseconds()
		}
		s[key], _ = codec.Encode(st)
	})
	reportOps(b, s)
}

func benchRateLimit(b *testing.B) {
	m := newEventMix(10_000)
	l := ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 10, Burst: 20}, Policy: ratelimit.Sample}
	l = l.WithDefaults()
	if err := l.Validate(); err != nil {
		b.Fatal(err)
	}
	s := store{}
	codec := ratelimit.StateCodec{}
	run(b, 100_000, func(i int) {
		key, raw, now, _ := m.at(i)
		if !utf8.Valid(raw) || !jsonscan.Valid(raw) { // what the stage checks
			b.Fatal("invalid event")
		}
		var st ratelimit.State
		if v := s[key]; v != nil {
			var err error
			if st, err = codec.Decode(v); err != nil {
				b.Fatal(err)
			}
		}
		l.Decide(&st, now)
		if due, ok := l.SummaryDue(&st); ok { // the summary timer's anchor, as the stage keeps it
			ms := now.UnixMilli()
			st.EventAt, st.SeenAt, st.TimerAt = ms, ms, due.UnixMilli()
		} else {
			st.EventAt, st.SeenAt, st.TimerAt = 0, 0, 0
		}
		s[key], _ = codec.Encode(st)
	})
	reportOps(b, s)
}

func benchWindow(b *testing.B) {
	m := newEventMix(10_000)
	w := window.Windower[int64, struct{}]{Assigner: window.Tumbling(time.Minute), Lateness: 10 * time.Second,
		Aggregator: window.Count[struct{}]()}
	w = w.WithDefaults()
	if err := w.Validate(); err != nil {
		b.Fatal(err)
	}
	s := store{}
	codec := window.StateCodec[int64]{}
	run(b, 100_000, func(i int) {
		key, raw, now, round := m.at(i)
		t, err := window.DT(raw)
		if err != nil {
			b.Fatal(err)
		}
		var st window.JobState[int64]
		if v := s[key]; v != nil {
			if st, err = codec.Decode(v); err != nil {
				b.Fatal(err)
			}
		}
		w.Add(&st.State, t.Add(round), struct{}{})
		w.Advance(&st.State, time.Time{})
		ms := now.UnixMilli() // the close timer's anchor, as the stage keeps it
		st.EventAt, st.SeenAt, st.TimerAt, st.Timed = ms, ms, ms+70_000, true
		s[key], _ = codec.Encode(st)
	})
	reportOps(b, s)
}

func benchAnomaly(b *testing.B) {
	m := newEventMix(10_000)
	d := anomaly.Detector{}
	d = d.WithDefaults()
	if err := d.Validate(); err != nil {
		b.Fatal(err)
	}
	s := store{}
	codec := anomaly.StateCodec{}
	run(b, 100_000, func(i int) {
		key, raw, now, round := m.at(i)
		t, err := window.DT(raw) // the same dt rule
		if err != nil {
			b.Fatal(err)
		}
		var st anomaly.KeyState
		if v := s[key]; v != nil {
			if st, err = codec.Decode(v); err != nil {
				b.Fatal(err)
			}
		}
		t = t.Add(round)
		d.Observe(&st.State, t, 1)
		st.LastEvent, st.Newest, st.NewestAt = now, t, now
		s[key], _ = codec.Encode(st)
	})
	reportOps(b, s)
}

// pageMix is a set of page-change events with content: revisions of 500
// pages, each page in three variants that edit its text.
type pageMix struct {
	keys []string   // by page
	raws [][][]byte // by page, then variant
	pick []int      // Zipf-distributed pages, a ring
}

func newPageMix(b *testing.B, keywords []string) *pageMix {
	b.Helper()
	const pages = 500
	rng := rand.New(rand.NewPCG(3, 5))
	m := &pageMix{keys: make([]string, pages), raws: make([][][]byte, pages), pick: make([]int, mixSize)}
	for p := range pages {
		size := 1 << 10
		switch r := rng.IntN(100); {
		case r >= 95:
			size = 64 << 10
		case r >= 70:
			size = 16 << 10
		case r >= 30:
			size = 4 << 10
		}
		base := wikitext(rng, size, keywords)
		m.keys[p] = fmt.Sprintf("enwiki:%d", p+1)
		for v := range 3 {
			text := editText(rng, base)
			pc := mediawiki.PageChange{WikiID: "enwiki", PageChangeKind: "edit",
				Page: mediawiki.Page{PageID: int64(p + 1), PageTitle: fmt.Sprintf("Page_%d", p+1)}}
			pc.Envelope = event.New("/mediawiki/page/change/1.1.0", "mediawiki.page_content_change.v1", opT0)
			pc.Revision.RevID = int64(v + 1)
			pc.Revision.ContentSlots = map[string]mediawiki.Slot{"main": {ContentModel: "wikitext", ContentBody: &text}}
			raw, err := event.JSON[mediawiki.PageChange]{}.Encode(pc)
			if err != nil {
				b.Fatal(err)
			}
			m.raws[p] = append(m.raws[p], raw)
		}
	}
	zipf := rand.NewZipf(rng, 1.1, 1, pages-1)
	for i := range m.pick {
		m.pick[i] = int(zipf.Uint64())
	}
	return m
}

// at returns event i: a page's key, a variant of its change, and a
// revision id that grows with i, so each event is a new revision.
func (m *pageMix) at(i int) (key string, raw []byte, rev int64) {
	p := m.pick[i%len(m.pick)]
	return m.keys[p], m.raws[p][i%3], int64(i + 10)
}

// decode decodes a page change and gives it revision rev.
func decodeChange(b *testing.B, raw []byte, rev int64) mediawiki.PageChange {
	pc, err := event.JSON[mediawiki.PageChange]{}.Decode(raw)
	if err != nil {
		b.Fatal(err)
	}
	pc.Revision.RevID = rev
	return pc
}

func benchTokens(b *testing.B) {
	m := newPageMix(b, nil)
	tk, err := tokens.New(tokens.Config{})
	if err != nil {
		b.Fatal(err)
	}
	s := store{}
	codec := tokens.StateCodec{}
	run(b, 1_000, func(i int) {
		key, raw, rev := m.at(i)
		pc := decodeChange(b, raw, rev)
		var st tokens.State
		if v := s[key]; v != nil {
			if st, err = codec.Decode(v); err != nil {
				b.Fatal(err)
			}
		}
		next, res, err := tk.Revise(st, pc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := (event.JSON[tokens.Event]{}).Encode(tk.Event(pc, res)); err != nil {
			b.Fatal(err)
		}
		s[key], _ = codec.Encode(next)
	})
	reportOps(b, s)
}

func benchDiff(b *testing.B) {
	m := newPageMix(b, nil)
	d, err := diff.New(diff.Config{})
	if err != nil {
		b.Fatal(err)
	}
	s := store{}
	codec := diff.StateCodec{}
	run(b, 1_000, func(i int) {
		key, raw, rev := m.at(i)
		pc := decodeChange(b, raw, rev)
		var st diff.State
		if v := s[key]; v != nil {
			if st, err = codec.Decode(v); err != nil {
				b.Fatal(err)
			}
		}
		next, res, err := d.Revise(st, pc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := (event.JSON[diff.Event]{}).Encode(d.Event(pc, next, res)); err != nil {
			b.Fatal(err)
		}
		s[key], _ = codec.Encode(next)
	})
	reportOps(b, s)
}

func benchFilter(b *testing.B) {
	keywords := pseudoWords(rand.New(rand.NewPCG(9, 9)), 10_000)
	m := newPageMix(b, keywords)
	f, err := filter.New(filter.Config{Patterns: filter.Keywords(keywords...), Options: filter.Options{CaseInsensitive: true}})
	if err != nil {
		b.Fatal(err)
	}
	var matched int
	run(b, 0, func(i int) {
		_, raw, _ := m.at(i)
		ev, ok, err := f.Apply(raw)
		if err != nil {
			b.Fatal(err)
		}
		if ok {
			matched++
			if _, err := (event.JSON[filter.Event]{}).Encode(ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	reportOps(b, nil)
	b.ReportMetric(float64(matched)/float64(b.N), "matched/event")
}

// wikitext returns about n bytes of wikitext: sections, an infobox, prose
// in several scripts with links, files and categories; about one word in
// 2,000 is one of keywords, if there are any.
func wikitext(rng *rand.Rand, n int, keywords []string) string {
	words := strings.Fields(`the of and in to was is for on as by with he that at from his it an were are which
		this also be had first one their its new after but who not they have has been two her she other time
		city river population century album season Москва город России 東京 カタカナ مرحبا हिन्दी 1,000 3.14`)
	var sb strings.Builder
	for sec := 0; sb.Len() < n; sec++ {
		fmt.Fprintf(&sb, "== Section %d ==\n", sec)
		if sec == 0 {
			fmt.Fprintf(&sb, "{{Infobox settlement|name=Place %d|image=Place%d.jpg|population=%d}}\n", rng.IntN(1000), rng.IntN(1000), rng.IntN(1e6))
		}
		for range 2 + rng.IntN(4) {
			for range 15 + rng.IntN(30) {
				switch r := rng.IntN(2000); {
				case r < 1 && len(keywords) > 0:
					kw := keywords[rng.IntN(len(keywords))]
					sb.WriteString(strings.ToUpper(kw[:1]) + kw[1:]) // matched case-insensitively
				case r < 120:
					fmt.Fprintf(&sb, "[[Article %d|%s]]", rng.IntN(5000), words[rng.IntN(len(words))])
				case r < 130:
					fmt.Fprintf(&sb, "{{Cite web|url=https://example.org/%d|title=Source}}", rng.IntN(1000))
				default:
					sb.WriteString(words[rng.IntN(len(words))])
				}
				sb.WriteByte(' ')
			}
			sb.WriteString(".\n")
		}
		fmt.Fprintf(&sb, "[[File:Image %d.png|thumb]]\n[[Category:Topic %d]]\n\n", rng.IntN(100), rng.IntN(50))
	}
	return sb.String()
}

// editText returns text with about one line in 50 rewritten.
func editText(rng *rand.Rand, text string) string {
	lines := strings.SplitAfter(text, "\n")
	for i := range lines {
		if rng.IntN(50) == 0 {
			lines[i] = fmt.Sprintf("Edited line %d with [[Article %d]] and more words.\n", i, rng.IntN(5000))
		}
	}
	return strings.Join(lines, "")
}

// pseudoWords returns n distinct lower-case pseudo-words of 5 to 12 letters.
func pseudoWords(rng *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		w := make([]byte, 5+rng.IntN(8))
		for i := range w {
			w[i] = byte('a' + rng.IntN(26))
		}
		if !seen[string(w)] {
			seen[string(w)] = true
			out = append(out, string(w))
		}
	}
	return out
}
