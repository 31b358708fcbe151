package entitychange_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

// The fixtures (see testdata/SOURCES.md): real page change events, and real
// entity JSON.
const (
	eventDir  = "testdata/wmf/wikidata-query-rdf/streaming-updater-producer/src/test/resources/page_change_events/wikibase/"
	entityDir = "testdata/wdtk/wdtk-datamodel/src/test/resources/JsonDeserializer/"
)

// decode reads JSON keeping numbers exact.
func decode(t testing.TB, data []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func read(t testing.TB, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, data)
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// entityJSON returns the entity of testdata file name (item, property or
// lexeme) changed by edits.
func entityJSON(t testing.TB, name string, edits ...func(e map[string]any)) []byte {
	t.Helper()
	e := read(t, entityDir+name+".json")
	for _, edit := range edits {
		edit(e)
	}
	return encode(t, e)
}

// at returns the object at path in v.
func at(v map[string]any, path ...any) map[string]any {
	var cur any = v
	for _, p := range path {
		switch k := p.(type) {
		case string:
			cur = cur.(map[string]any)[k]
		case int:
			cur = cur.([]any)[k]
		}
	}
	return cur.(map[string]any)
}

// Edits of the item Q34987.
func relabelEn(e map[string]any)     { at(e, "labels", "en")["value"] = "Bile language" }
func relabelDe(e map[string]any)     { at(e, "labels", "de")["value"] = "Bile-Sprache" }
func retitleEnwiki(e map[string]any) { at(e, "sitelinks", "enwiki")["title"] = "Bile (language)" }
func recountry(e map[string]any) {
	at(e, "claims", "P17", 0, "mainsnak", "datavalue", "value")["id"] = "Q1032"
}

// prefixes are the title prefixes of Wikidata's entity namespaces.
var prefixes = map[string]string{"0": "", "120": "Property:", "146": "Lexeme:"}

// pageChange returns the real page change event in eventDir+file turned
// into a mediawiki.page_content_change.v1 event of entity id on
// www.wikidata.org, with content as its main slot's content_body (none
// when nil).
func pageChange(t testing.TB, file, id string, content []byte) map[string]any {
	t.Helper()
	ev := read(t, eventDir+file)
	page := at(ev, "page")
	title := prefixes[page["namespace_id"].(json.Number).String()] + id
	page["page_title"] = title
	ev["wiki_id"] = "wikidatawiki"
	meta := at(ev, "meta")
	meta["stream"], meta["domain"], meta["uri"] = "mediawiki.page_content_change.v1", "www.wikidata.org", "https://www.wikidata.org/wiki/"+title
	if content != nil {
		at(ev, "revision", "content_slots", "main")["content_body"] = string(content)
	}
	return ev
}

// withRevision sets the revision ids of ev.
func withRevision(ev map[string]any, rev, parent int64) map[string]any {
	r := at(ev, "revision")
	r["rev_id"], r["rev_parent_id"] = rev, parent
	if ps, ok := ev["prior_state"].(map[string]any); ok {
		at(ps, "revision")["rev_id"] = parent
	}
	return ev
}

// withTime sets the event and revision times of ev.
func withTime(ev map[string]any, dt time.Time) map[string]any {
	s := dt.UTC().Format(time.RFC3339Nano)
	ev["dt"] = s
	at(ev, "meta")["dt"] = s
	if r, ok := ev["revision"].(map[string]any); ok {
		r["rev_dt"] = s
	}
	return ev
}
