package event_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/event/mediawiki"
)

// JSON[T].Decode does not run encoding/json on input it accepts, but must
// decode exactly as encoding/json does: same value for the same input, an
// error for the same inputs, and then encoding/json's error. The tests
// below check that on the types jobs decode and on types that exercise
// encoding/json's rules.

// numbers holds every kind of number field.
type numbers struct {
	N   json.Number     `json:"n"`
	F   float64         `json:"f"`
	F32 float32         `json:"f32"`
	I   int             `json:"i"`
	I8  int8            `json:"i8"`
	U   uint            `json:"u"`
	A   any             `json:"a"`
	M   map[string]any  `json:"m"`
	S   int             `json:"s,string"`
	R   json.RawMessage `json:"r"`
	MI  map[int]int     `json:"mi"`
	Arr [2]int          `json:"arr"`
	Bs  []byte          `json:"bs"`
	P   *int            `json:"p"`
}

// rawValue keeps the bytes encoding/json hands its UnmarshalJSON.
type rawValue struct{ B string }

func (r *rawValue) UnmarshalJSON(b []byte) error { r.B = string(b); return nil }

// textKey is decoded from JSON strings and object keys by UnmarshalText.
type textKey string

func (k *textKey) UnmarshalText(b []byte) error { *k = textKey("T:" + string(b)); return nil }

type inner struct {
	X int `json:"x"`
	Y int
}

type Promoted struct {
	Y int `json:"y"`
	Z string
}

// names exercises field matching: exact names before folded ones,
// promotion from embedded structs, methods.
type names struct {
	*inner
	Promoted
	Lower  int             `json:"a"`
	Upper  int             `json:"A"`
	Kelvin int             `json:"k"`
	Raw    rawValue        `json:"raw"`
	Keys   map[textKey]int `json:"keys"`
	Text   textKey         `json:"text"`
	Skip   int             `json:"-"`
	Dash   int             `json:"-,"`
	hidden int
}

var compatInputs = []string{
	`{"META":{"Stream":"x","dT":"2026-11-01T00:00:00Z"},"Page":"p","BYTES":5,"unknown":{"a":[1,2,{"b":null}]}}`,
	`{"n":123456789012345678901234567890,"f":1.5,"i":-3,"a":12,"m":{"x":1,"y":[1.5,"s",true,null]},"s":"12","r":{"a": [1, 2]},"mi":{"1":2}}`,
	`{"a":9007199254740993,"i":9007199254740993,"f32":3.4e39,"arr":[1,2,3],"bs":"aGk=","p":7}`,
	`{"i8":300}`, `{"u":-1}`, `{"i":1.5}`, `{"i":"5"}`, `{"i":true}`, `{"f":1e400}`, `{"i":01}`, `{"bs":"not base64!"}`,
	`{"page":5}`, `{"page":{}}`, `{"meta":"x"}`, `{"meta": }`, `{"a":`, `{} x`, `[]`, ` null`, ``, `"abc"`, `42`,
	"{\"page\":\"a\xffb\"}", `{"page":"\u00e9\ud83d\ude00\n\"\\\/","bytes":1}`, `{"page":"\ud83d x"}`, "{\"page\":\"a\x01b\"}",
	`{"page":"a","page":"b","PAGE":"c"}`, `{"page":null,"bytes":null,"meta":null}`,
	`{"dt":"2021-01-01"}`, `{"dt":5}`, `{"dt":"2021-01-01T00:00:00+02:00","meta":{"dt":"2021-01-01T00:00:00.123456789Z"}}`,
	`{"root_event":{"signature":"s","dt":"2021-01-01T00:00:00Z"},"triggered_by":"a:b"}`,
	`{"A":1}`, `{"a":2}`, "{\"\u212a\":1}", `{"x":1,"Y":2,"y":3,"Z":"z"}`, `{"raw": { "a" : [1, 2] } ,"keys":{"a":1},"text":"t"}`,
	`{"-":1,"Skip":2,"hidden":3}`,
	" \n\t{ \"page\" : \"p\" } \r\n", strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	`{"unknown":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
}

func TestJSONDecodeMatchesEncodingJSON(t *testing.T) {
	inputs := append(compatInputs, string(itemEdit(t)))
	for _, in := range inputs {
		matchesEncodingJSON(t, []byte(in))
	}
}

// FuzzJSONDecodeMatchesEncodingJSON looks for input on which JSON[T]
// parts from encoding/json. Run it after upgrading the decoder:
//
//	go test -run '^$' -fuzz FuzzJSONDecodeMatchesEncodingJSON -fuzztime 2m ./event/
func FuzzJSONDecodeMatchesEncodingJSON(f *testing.F) {
	for _, in := range compatInputs {
		f.Add([]byte(in))
	}
	f.Add(itemEdit(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		matchesEncodingJSON(t, data)
	})
}

// matchesEncodingJSON decodes data into each type, with JSON[T] and with
// encoding/json, and fails the test if they differ.
func matchesEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	sameAsEncodingJSON[mediawiki.PageChange](t, data)
	sameAsEncodingJSON[event.Envelope](t, data)
	sameAsEncodingJSON[benchEdit](t, data)
	sameAsEncodingJSON[benchPurge](t, data)
	sameAsEncodingJSON[numbers](t, data)
	sameAsEncodingJSON[names](t, data)
	sameAsEncodingJSON[map[string]any](t, data)
	sameAsEncodingJSON[any](t, data)
}

func sameAsEncodingJSON[T any](t *testing.T, data []byte) {
	t.Helper()
	got, err := event.JSON[T]{}.Decode(data)
	var want T
	wantErr := json.Unmarshal(data, &want)
	switch {
	case wantErr != nil:
		var de *event.DecodeError
		if !errors.As(err, &de) || de.Err == nil || de.Err.Error() != wantErr.Error() {
			t.Fatalf("%.200q into %T: got error %v, want a DecodeError of encoding/json's %v", data, want, err, wantErr)
		}
	case err != nil:
		t.Fatalf("%.200q into %T: %v; encoding/json accepts it", data, want, err)
	case !reflect.DeepEqual(got, want):
		t.Fatalf("%.200q into %T:\n got %+v\nwant %+v (encoding/json)", data, want, got, want)
	}
}

// itemEdit returns a captured mediawiki.page_change.v1 event.
func itemEdit(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "wmf", "wikidata-query-rdf",
		"streaming-updater-producer", "src", "test", "resources", "page_change_events", "wikibase", "item-edit.json"))
	if err != nil {
		tb.Fatalf("test data missing: %v", err)
	}
	return data
}
