package window_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor/window"
)

// BenchmarkOperators/window measures the pure core on one core, in memory,
// on one key's stream of events 100 ms apart in event time, up to 2 s out
// of order, with 10 s of allowed lateness:
//   - Add/<assigner>: Add and Advance per event on a long-lived State
//     (tumbling 1 min; hopping 1 min every 10 s; sessions with a 30 s gap,
//     broken by a minute's silence every 1,000 events);
//   - Handler/<assigner>: what the stage does per event besides Kafka:
//     read dt from a 300-byte event, decode the key's state (StateCodec),
//     Add, Advance, encode the state.
//
// It reports events/s and bytes/key, the key's encoded JobState after the
// run (the bytes each event rewrites).
//
//	go test -run '^$' -bench 'BenchmarkOperators/window' -benchmem ./processor/window/
func BenchmarkOperators(b *testing.B) {
	b.Run("window", benchmarkWindow)
}

func benchmarkWindow(b *testing.B) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	// times returns the event time of event i.
	times := func(i int) time.Time {
		gaps := time.Duration(i/1000) * time.Minute
		return t0.Add(time.Duration(i)*100*time.Millisecond + gaps - time.Duration(i*7919%20)*100*time.Millisecond)
	}
	assigners := []window.Assigner{
		window.Tumbling(time.Minute),
		window.Hopping(time.Minute, 10*time.Second),
		window.Session(30 * time.Second),
	}
	name := func(a window.Assigner) string { return a.Kind().String() }
	for _, a := range assigners {
		w := window.Windower[int64, struct{}]{Assigner: a, Lateness: 10 * time.Second, Aggregator: window.Count[struct{}]()}
		w = w.WithDefaults()
		if err := w.Validate(); err != nil {
			b.Fatal(err)
		}
		b.Run("Add/"+name(a), func(b *testing.B) {
			var st window.State[int64]
			closed := 0
			for i := range b.N {
				w.Add(&st, times(i), struct{}{})
				closed += len(w.Advance(&st, time.Time{}))
			}
			report(b, window.JobState[int64]{State: st})
			b.ReportMetric(float64(closed)/float64(b.N), "windows/event")
		})
	}
	const n = 1 << 12
	events := make([][]byte, n)
	for i := range events {
		events[i] = fmt.Appendf(nil, `{"$schema":"/mediawiki/revision/create/2.0.0","meta":{"stream":"mediawiki.revision-create","id":%q,"dt":"2026-11-01T00:00:00Z","domain":"en.wikipedia.org"},"dt":%q,"page_id":123456,"page_title":"Main_Page","rev_id":%d,"performer":{"user_text":"Example"}}`,
			event.NewID(), times(i).Format(time.RFC3339Nano), i)
	}
	for _, a := range assigners {
		w := window.Windower[int64, struct{}]{Assigner: a, Lateness: 10 * time.Second, Aggregator: window.Count[struct{}]()}
		w = w.WithDefaults()
		if err := w.Validate(); err != nil {
			b.Fatal(err)
		}
		b.Run("Handler/"+name(a), func(b *testing.B) {
			codec := window.StateCodec[int64]{}
			state, _ := codec.Encode(window.JobState[int64]{})
			var st window.JobState[int64]
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				t, err := window.DT(events[i%n])
				if err != nil {
					b.Fatal(err)
				}
				// Event times keep moving forward after the events wrap.
				t = t.Add(time.Duration(i/n) * (times(n).Sub(t0) + time.Hour))
				if st, err = codec.Decode(state); err != nil {
					b.Fatal(err)
				}
				w.Add(&st.State, t, struct{}{})
				w.Advance(&st.State, time.Time{})
				if state, err = codec.Encode(st); err != nil {
					b.Fatal(err)
				}
			}
			report(b, st)
		})
	}
}

// report reports events/s, and the bytes of st as the stage stores it:
// with its clock anchor and a pending close timer.
func report(b *testing.B, st window.JobState[int64]) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	ms := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	st.EventAt, st.SeenAt, st.TimerAt, st.TimerEnd, st.Timed = ms, ms, ms, ms, true
	s, _ := window.StateCodec[int64]{}.Encode(st)
	b.ReportMetric(float64(len(s)), "bytes/key")
}
