package dedupe_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/processor/dedupe"
)

// BenchmarkDedupe measures the pure core on one core, in memory, with the
// window full at steady state (Max ids live):
//   - Seen/unique, Seen/duplicate: one Seen on a long-lived window;
//   - Handler: what the stage does per event besides Kafka: read meta.id
//     from a 300-byte event, decode the key's state, Seen, encode it.
//
// It reports events/s and bytes/key, the encoded state of a key whose
// window is full.
//
//	go test -run '^$' -bench BenchmarkDedupe -benchmem ./processor/dedupe/
func BenchmarkDedupe(b *testing.B) {
	ids := make([]string, 1<<16)
	events := make([][]byte, len(ids))
	for i := range ids {
		ids[i] = event.NewID()
		events[i] = fmt.Appendf(nil, `{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"mediawiki.client.error","id":%q,"dt":"2026-11-01T00:00:00Z","domain":"en.wikipedia.org"},"message":"Uncaught TypeError: e is undefined","file_url":"https://en.wikipedia.org/w/load.php","url":"https://en.wikipedia.org/wiki/Special:Random"}`, ids[i])
	}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, max := range []int{10, 100, 1000} {
		full := func() dedupe.Window {
			w := dedupe.Window{TTL: time.Hour, Max: max}
			for i := range max {
				w.Seen(ids[len(ids)-1-i], t0)
			}
			return w
		}
		b.Run(fmt.Sprintf("Seen/unique/ids=%d", max), func(b *testing.B) {
			w := full()
			for i := range b.N {
				if w.Seen(ids[i%len(ids)], t0.Add(time.Duration(i)*time.Microsecond)) {
					b.Fatal("unique id seen")
				}
			}
			report(b, w)
		})
		b.Run(fmt.Sprintf("Seen/duplicate/ids=%d", max), func(b *testing.B) {
			w := full()
			for i := range b.N {
				if !w.Seen(ids[len(ids)-1-i%max], t0) {
					b.Fatal("duplicate not seen")
				}
			}
			report(b, w)
		})
		b.Run(fmt.Sprintf("Handler/ids=%d", max), func(b *testing.B) {
			state, _ := dedupe.StateCodec{}.Encode(dedupe.State{IDs: full()})
			var codec dedupe.StateCodec
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				id, err := dedupe.MetaID(events[i%len(events)])
				if err != nil {
					b.Fatal(err)
				}
				st, err := codec.Decode(state)
				if err != nil {
					b.Fatal(err)
				}
				if st.IDs.Seen(id, t0.Add(time.Duration(i)*time.Microsecond)) {
					b.Fatal("unique id seen")
				}
				state, _ = codec.Encode(st)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(len(state)), "bytes/key")
		})
	}
}

func report(b *testing.B, w dedupe.Window) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	s, _ := dedupe.StateCodec{}.Encode(dedupe.State{IDs: w})
	b.ReportMetric(float64(len(s)), "bytes/key")
}
