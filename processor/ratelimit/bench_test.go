package ratelimit_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor/ratelimit"
)

// BenchmarkRateLimit measures the pure core on one core, in memory:
//   - Decide/<case>: one decision on a long-lived State, for a key within
//     its limit (pass), over it (drop, sample, delay) and in adaptive mode;
//   - Handler: what the stage does per event besides Kafka: check a
//     300-byte event is a JSON object, decode the key's state, decide,
//     encode the state.
//
// It reports events/s and bytes/key, the encoded state after the run.
//
//	go test -run '^$' -bench BenchmarkRateLimit -benchmem ./processor/ratelimit/
func BenchmarkRateLimit(b *testing.B) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	limit := ratelimit.Limit{Rate: 1000, Burst: 100}
	cases := []struct {
		name string
		l    ratelimit.Limiter
		step time.Duration // between events; 1 ms is the limit
	}{
		{"pass", ratelimit.Limiter{Limit: limit}, 2 * time.Millisecond},
		{"drop", ratelimit.Limiter{Limit: limit}, time.Microsecond},
		{"sample", ratelimit.Limiter{Limit: limit, Policy: ratelimit.Sample}, time.Microsecond},
		{"delay", ratelimit.Limiter{Limit: limit, Policy: ratelimit.Delay}, 900 * time.Microsecond},
		{"adaptive", ratelimit.Limiter{Limit: limit, Adaptive: &ratelimit.Adaptive{}}, time.Millisecond},
	}
	for _, c := range cases {
		b.Run("Decide/"+c.name, func(b *testing.B) {
			l := c.l
			l = l.WithDefaults()
			if err := l.Validate(); err != nil {
				b.Fatal(err)
			}
			var st ratelimit.State
			for i := range b.N {
				l.Observe(&st, float64(i%2)) // a no-op unless adaptive
				l.Decide(&st, t0.Add(time.Duration(i)*c.step))
			}
			report(b, st)
		})
	}
	b.Run("Handler", func(b *testing.B) {
		l := ratelimit.Limiter{Limit: limit, SummaryInterval: time.Second}
		l = l.WithDefaults()
		if err := l.Validate(); err != nil {
			b.Fatal(err)
		}
		raw := []byte(`{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"mediawiki.client.error","id":"b0caf18d-6c7f-4403-947d-2712bbe28610","dt":"2026-11-01T00:00:00Z","domain":"en.wikipedia.org"},"message":"Uncaught TypeError: e is undefined","file_url":"https://en.wikipedia.org/w/load.php"}`)
		var codec ratelimit.StateCodec
		state, _ := codec.Encode(ratelimit.State{})
		var st ratelimit.State
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if !json.Valid(raw) {
				b.Fatal("invalid event")
			}
			var err error
			if st, err = codec.Decode(state); err != nil {
				b.Fatal(err)
			}
			l.Decide(&st, t0.Add(time.Duration(i)*500*time.Microsecond)) // twice the limit: half held back
			state, _ = codec.Encode(st)
		}
		report(b, st)
	})
}

func report(b *testing.B, st ratelimit.State) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	s, _ := ratelimit.StateCodec{}.Encode(st)
	b.ReportMetric(float64(len(s)), "bytes/key")
}
