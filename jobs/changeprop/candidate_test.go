package changeprop_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/changeprop"
)

// randomCandidate returns a candidate with each field set or not at
// random, strings that need escaping in JSON, and times in several zones.
func randomCandidate(r *rand.Rand) changeprop.Candidate {
	strs := []string{"", "https://en.wikipedia.org/wiki/C%2B%2B", "Q&A <b>", "é\u2028", "bad\xff", "mediawiki.page_change.v1"}
	str := func() string { return strs[r.IntN(len(strs))] }
	list := func() []string {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		return []string{str(), str()}
	}
	at := func() time.Time {
		switch r.IntN(5) {
		case 0:
			return time.Time{}
		case 1:
			return time.Unix(r.Int64N(1<<33), r.Int64N(1e9)).In(time.FixedZone("", 3600*(r.IntN(25)-12)))
		}
		return time.Unix(r.Int64N(1<<33), r.Int64N(1e9)).UTC()
	}
	env := func() event.Envelope {
		e := event.Envelope{Schema: str(), Meta: event.Meta{Stream: str(), ID: str(), DT: at(), URI: str(), Domain: str(), RequestID: str()},
			DT: at(), TriggeredBy: str()}
		if r.IntN(2) == 0 {
			e.RootEvent = &event.RootEvent{Signature: str(), DT: at()}
		}
		return e
	}
	c := changeprop.Candidate{Purge: propagate.ResourceChange{Envelope: env(), Tags: list(), Rule: str(), Explanation: list(),
		Coalesced: r.IntN(3) * r.IntN(1<<20)}}
	if r.IntN(2) == 0 {
		c.Rerender = &propagate.PageRerender{Envelope: env(), WikiID: str(), PageID: r.Int64N(1<<40) - 5, PageTitle: str(),
			NamespaceID: r.IntN(30) - 2, IsRedirect: r.IntN(2) == 0, Reason: str(), ClusterGroup: str(), IndexName: str()}
	}
	return c
}

// sameJSON asserts that the candidates encode to the same JSON: what the
// coalesce job makes of a decoded candidate is what it would have made of
// the one the fan-out encoded.
func sameJSON(t *testing.T, got, want changeprop.Candidate) {
	t.Helper()
	g, gerr := json.Marshal(got)
	w, werr := json.Marshal(want)
	if string(g) != string(w) || (gerr == nil) != (werr == nil) {
		t.Fatalf("decoded candidate encodes to\n%s (%v)\nthe original to\n%s (%v)", g, gerr, w, werr)
	}
}

func TestCandidateCodecRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 3))
	c := changeprop.CandidateCodec{}
	for range 5_000 {
		cand := randomCandidate(r)
		b, err := c.Encode(cand)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decode(b)
		if err != nil {
			t.Fatalf("Decode(Encode(%+v)): %v", cand, err)
		}
		sameJSON(t, got, cand)
		// Slices and strings come back as they went.
		if !reflect.DeepEqual(got.Purge.Tags, cand.Purge.Tags) || !reflect.DeepEqual(got.Purge.Explanation, cand.Purge.Explanation) ||
			got.Purge.Meta != cand.Purge.Meta && !got.Purge.Meta.DT.Equal(cand.Purge.Meta.DT) {
			t.Fatalf("Decode(Encode(%+v)) = %+v", cand, got)
		}
		// Candidates written as JSON, before this codec, still decode.
		j, err := json.Marshal(cand)
		if err != nil {
			t.Fatal(err)
		}
		old, err := c.Decode(j)
		if err != nil {
			t.Fatalf("Decode of the JSON %s: %v", j, err)
		}
		var want changeprop.Candidate // JSON itself changes invalid UTF-8
		if err := json.Unmarshal(j, &want); err != nil {
			t.Fatal(err)
		}
		sameJSON(t, old, want)
	}
}

func TestCandidateCodecCorruptIsAnError(t *testing.T) {
	c := changeprop.CandidateCodec{}
	b, err := c.Encode(randomCandidate(rand.New(rand.NewPCG(1, 1))))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{b[:1], b[:len(b)/2], b[:len(b)-1], append(append([]byte{}, b...), 0), {0x01, 0xff, 0xff}, []byte(`{"purge":`)} {
		_, err := c.Decode(bad)
		var de *event.DecodeError
		if !errors.As(err, &de) {
			t.Errorf("Decode(%x) = %v, want a *event.DecodeError", bad, err)
		}
	}
}

func FuzzCandidateCodec(f *testing.F) {
	c := changeprop.CandidateCodec{}
	r := rand.New(rand.NewPCG(2, 2))
	for range 4 {
		b, _ := c.Encode(randomCandidate(r))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cand, err := c.Decode(b)
		if err != nil {
			return
		}
		// What decodes encodes, and decodes to the same again.
		b2, err := c.Encode(cand)
		if err != nil {
			return // a time the binary form holds and JSON would not: refused either way
		}
		again, err := c.Decode(b2)
		if err != nil {
			t.Fatalf("Decode(%x) = %+v; its encoding does not decode: %v", b, cand, err)
		}
		sameJSON(t, again, cand)
	})
}

func TestOutputCodecsAreEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 5))
	same := func(what string, got []byte, gotErr error, v any) {
		t.Helper()
		want, wantErr := json.Marshal(v)
		if string(got) != string(want) || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%s %+v:\n got %s, %v\nwant %s, %v", what, v, got, gotErr, want, wantErr)
		}
	}
	for range 10_000 {
		c := randomCandidate(r)
		got, err := changeprop.PurgeCodec.Encode(c.Purge)
		same("purge", got, err, c.Purge)
		if c.Rerender != nil {
			got, err := changeprop.RerenderCodec.Encode(*c.Rerender)
			same("re-render", got, err, *c.Rerender)
		}
	}
}
