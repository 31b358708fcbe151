package entity

import (
	"errors"
	"regexp"
	"slices"
	"testing"
)

// aspectPattern is the aspect pattern of the ripple/entity/change schema.
var aspectPattern = regexp.MustCompile(`^(S|T|O|X|[LD](\.[A-Za-z0-9-]+)?|C(\.P[1-9][0-9]*)?)$`)

// FuzzChangedAspects feeds arbitrary pairs of inputs. ChangedAspects must
// not panic; it fails only with its sentinels; its aspects are sorted,
// unique and valid for the event schema; it is symmetric; and an entity
// compared with itself changed nothing. The seeds are the fixture and its
// edits, so `go test` runs them every time.
func FuzzChangedAspects(f *testing.F) {
	q42 := readQ42(f)
	for _, tc := range aspectCases() {
		f.Add(q42, edit(f, q42, tc.edit))
	}
	f.Add([]byte(nil), q42)
	f.Add([]byte(`{"entities":{"Q1":{"labels":[],"claims":{"P1":[{"rank":1e5}]}}}}`), []byte(`{"redirect":"Q2"}`))
	f.Add([]byte(`{"sitelinks":{"enwiki":{"title":"A","badges":["Q1"]}}}`), []byte(`{"sitelinks":{"enwiki":{"title":"B"}}}`))
	small := `{"id":"Q1","type":"item","labels":{"en":{"language":"en","value":"a"}},"descriptions":[],"aliases":{"en":[{"value":"b"}]},` +
		`"claims":{"P1":[{"rank":"normal","mainsnak":{"datavalue":{"value":{"amount":"+1","precision":1.0}}}}]},` +
		`"sitelinks":{"enwiki":{"title":"A","badges":[]}}}`
	f.Add([]byte(small), []byte(small))
	f.Add([]byte(small), []byte(`{"id":"Q1","statements":{"P1":[{"rank":"normal","mainsnak":{"datavalue":{"value":{"amount":"+1","precision":1e0}}}}]},"labels":{"EN":{"value":"a"}}}`))
	f.Fuzz(func(t *testing.T, prior, next []byte) {
		opts := Options{ClientSite: "enwiki", MaxLabelLanguages: 3, MaxProperties: 3}
		got, err := ChangedAspects(prior, next, opts)
		if err != nil {
			if !errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrNoEntity) && !errors.Is(err, ErrMismatch) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if got == nil {
			t.Fatal("nil aspects")
		}
		for i, a := range got {
			if !aspectPattern.MatchString(a) || len(a) > 128 {
				t.Errorf("invalid aspect %q in %q", a, got)
			}
			if i > 0 && got[i-1] >= a {
				t.Errorf("aspects not sorted and unique: %q", got)
			}
		}
		if slices.Contains(got, "X") && len(got) != 1 {
			t.Errorf("X with other aspects: %q", got)
		}
		if slices.Contains(got, "T") && !slices.Contains(got, "S") {
			t.Errorf("T without S: %q", got)
		}
		back, err := ChangedAspects(next, prior, opts)
		if err != nil || !slices.Equal(back, got) {
			t.Errorf("not symmetric: %q, then %q, %v", got, back, err)
		}
		for _, side := range [][]byte{prior, next} {
			if same, err := ChangedAspects(side, side, opts); err == nil && len(same) != 0 {
				t.Errorf("an entity differs from itself in %q", same)
			}
		}
	})
}
