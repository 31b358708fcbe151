package anomaly_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ripplestream/ripple/processor/anomaly"
)

// BenchmarkDetector measures the pure core on one core, in memory:
//   - Observe/<case>: one event on a long-lived State, about 100 events a
//     minute per key at random times, so about one call in 100 closes a
//     window (and scores it with a MAD over History residuals); with the
//     default rules, Seasonal, and a History of MaxHistory;
//   - Handler/<codec>: what the job does per event besides Kafka: read the
//     dt of a 300-byte event, decode the key's state, observe, encode the
//     state; with the job's StateCodec and, for comparison, JSON.
//
// It reports events/s and bytes/key, the key's encoded state after the run
// (StateCodec's encoding, as the job stores it, except for Handler/json).
//
//	go test -run '^$' -bench BenchmarkDetector -benchmem ./processor/anomaly/
func BenchmarkDetector(b *testing.B) {
	// Gaps between events: exponential with a mean of 600 ms, so that
	// windows count about 100 events, give or take a Poisson spread.
	rng := rand.New(rand.NewPCG(1, 2))
	gaps := make([]time.Duration, 1<<16)
	for i := range gaps {
		gaps[i] = time.Duration(rng.ExpFloat64() * float64(600*time.Millisecond))
	}
	cases := []struct {
		name string
		d    anomaly.Detector
	}{
		{"default", anomaly.Detector{}},
		{"seasonal", anomaly.Detector{Seasonal: true}},
		{"history1440", anomaly.Detector{History: anomaly.MaxHistory}},
	}
	for _, c := range cases {
		b.Run("Observe/"+c.name, func(b *testing.B) {
			d := validated(b, c.d)
			var st anomaly.State
			at := t0
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				at = at.Add(gaps[i%len(gaps)])
				d.Observe(&st, at, 1)
			}
			report(b, anomaly.KeyState{State: st}, anomaly.StateCodec{})
		})
	}
	raw := []byte(`{"$schema":"/mediawiki/client/error/2.0.0","meta":{"stream":"mediawiki.client.error","id":"b0caf18d-6c7f-4403-947d-2712bbe28610","dt":"2026-11-01T00:00:00Z","domain":"en.wikipedia.org"},"dt":"2026-11-01T00:00:00Z","message":"Uncaught TypeError: e is undefined","file_url":"https://en.wikipedia.org/w/load.php"}`)
	for _, codec := range []struct {
		name string
		c    stateCodec
	}{{"binary", anomaly.StateCodec{}}, {"json", jsonCodec{}}} {
		b.Run("Handler/"+codec.name, func(b *testing.B) {
			d := validated(b, anomaly.Detector{})
			state, _ := codec.c.Encode(anomaly.KeyState{})
			var st anomaly.KeyState
			var off time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				var ev struct {
					DT time.Time `json:"dt"`
				}
				if err := json.Unmarshal(raw, &ev); err != nil {
					b.Fatal(err)
				}
				var err error
				if st, err = codec.c.Decode(state); err != nil {
					b.Fatal(err)
				}
				off += gaps[i%len(gaps)]
				d.Observe(&st.State, ev.DT.Add(off), 1)
				if state, err = codec.c.Encode(st); err != nil {
					b.Fatal(err)
				}
			}
			report(b, st, codec.c)
		})
	}
}

type stateCodec interface {
	Encode(anomaly.KeyState) ([]byte, error)
	Decode([]byte) (anomaly.KeyState, error)
}

type jsonCodec struct{}

func (jsonCodec) Encode(s anomaly.KeyState) ([]byte, error) { return json.Marshal(s) }
func (jsonCodec) Decode(b []byte) (anomaly.KeyState, error) {
	var s anomaly.KeyState
	err := json.Unmarshal(b, &s)
	return s, err
}

func report(b *testing.B, st anomaly.KeyState, c stateCodec) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	s, _ := c.Encode(st)
	b.ReportMetric(float64(len(s)), "bytes/key")
}
