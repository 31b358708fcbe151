package event

import (
	"errors"
	"strings"
	"testing"
)

// TestDocument checks that Document gives a schema as compiled: a
// versioned file as written, a current.yaml with its refs inlined, and no
// $id in either.
func TestDocument(t *testing.T) {
	r := openRepo(t, wmf(t, "schemas-event-primary"))
	for _, uri := range []string{"/mediawiki/revision/create/2.0.0", "/mediawiki/revision/create/current", "/mediawiki/revision/create/latest"} {
		doc, err := r.Document(uri)
		if err != nil {
			t.Fatalf("%s: %v", uri, err)
		}
		b := string(encode(t, doc))
		if strings.Contains(b, `"$ref"`) || strings.Contains(b, `"$id"`) {
			t.Errorf("%s: Document holds a $ref or $id", uri)
		}
		meta, _ := doc["properties"].(map[string]any)["meta"].(map[string]any)
		if meta["type"] != "object" {
			t.Errorf("%s: properties/meta = %v, want the common fragment's meta inlined", uri, meta)
		}
	}
	var se *SchemaError
	if _, err := r.Document("/no/such/1.0.0"); !errors.As(err, &se) {
		t.Errorf("Document of an unknown schema = %v, want a *SchemaError", err)
	}
}
