package window

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ripplestream/ripple/event"
)

// oddStrings need escaping, or look as if they might.
var oddStrings = []string{"", "K42", "a b", `q"uote`, `back\slash`, "a<b", "a>b", "&amp;", "tab\there", "nl\n", "\x00\x1f\x7f",
	"é", "日本", "\u2028\u2029", "bad\xffutf8", "\xc3", "/wiki/Main_Page?x=1#y", "emoji 🙂"}

// randomResult returns a result with random fields, sometimes ones the
// stage never sets or times encoding/json treats specially.
func randomResult[A any](r *rand.Rand, agg A) ResultEvent[A] {
	str := func() string { return oddStrings[r.IntN(len(oddStrings))] }
	at := func() time.Time {
		switch r.IntN(12) {
		case 0:
			return time.Time{}
		case 1:
			return time.UnixMilli(r.Int64N(1 << 40)).In(time.FixedZone("X", 3600*r.IntN(12)))
		case 2:
			return time.Date(10000+r.IntN(5), 1, 1, 0, 0, 0, 0, time.UTC)
		case 3:
			return time.Date(1+r.IntN(3), 1, 1, 0, 0, 0, r.IntN(1e9), time.UTC)
		default:
			return time.UnixMilli(1_790_000_000_000 + r.Int64N(1e9)).UTC().Add(time.Duration(r.IntN(3)) * time.Microsecond)
		}
	}
	e := ResultEvent[A]{Envelope: event.Envelope{Schema: ResultSchema, Meta: event.Meta{Stream: str(), ID: str(), DT: at()}, DT: at()},
		Key: str(), Window: Span{Start: at(), End: at()}, Count: r.Int64() - math.MaxInt64/2, Aggregate: agg,
		Late: r.Int64N(100), ClosedBy: str()}
	switch r.IntN(20) {
	case 0:
		e.Meta.URI = str()
	case 1:
		e.RootEvent = &event.RootEvent{Signature: str(), DT: at()}
	case 2:
		e.TriggeredBy = str()
	case 3:
		e.Meta.Domain, e.Meta.RequestID = str(), str()
	}
	return e
}

// sameAsJSON asserts that resultCodec encodes e as encoding/json does, or
// fails where it fails.
func sameAsJSON[A any](t *testing.T, e ResultEvent[A]) {
	t.Helper()
	got, gotErr := resultCodec[A]{}.Encode(e)
	want, wantErr := json.Marshal(e)
	if string(got) != string(want) || (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("encoding %+v:\n got %s, %v\nwant %s, %v", e, got, gotErr, want, wantErr)
	}
}

func TestResultCodecIsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 2))
	type pair struct {
		N int    `json:"n"`
		S string `json:"s,omitempty"`
	}
	for range 5_000 {
		sameAsJSON(t, randomResult(r, r.Int64()-math.MaxInt64/2))
		sameAsJSON(t, randomResult(r, r.IntN(1000)-500))
		sameAsJSON(t, randomResult(r, []float64{r.NormFloat64() * 1e22, math.Inf(1), math.NaN(), 1e-9, 0}[r.IntN(5)]))
		sameAsJSON(t, randomResult(r, pair{N: r.IntN(10), S: oddStrings[r.IntN(len(oddStrings))]}))
		sameAsJSON(t, randomResult[map[string]int](r, nil))
	}
}

func FuzzResultCodec(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s, s, int64(1_790_000_000_000), int64(60_000), int64(7))
	}
	f.Fuzz(func(t *testing.T, key, stream string, start, size, count int64) {
		st, end := time.UnixMilli(start).UTC(), time.UnixMilli(start+size).UTC()
		sameAsJSON(t, ResultEvent[int64]{Envelope: event.Envelope{Schema: ResultSchema,
			Meta: event.Meta{Stream: stream, ID: key, DT: end}, DT: end},
			Key: key, Window: Span{Start: st, End: end}, Count: count, Aggregate: count, ClosedBy: stream})
	})
}
