package parquet

import (
	"fmt"
	"slices"
	"strings"

	pq "github.com/parquet-go/parquet-go"
)

// kind is what a field holds in Parquet.
type kind uint8

const (
	kindString    kind = iota // BYTE_ARRAY (STRING)
	kindTimestamp             // INT64 (TIMESTAMP millis, UTC)
	kindInt64                 // INT64
	kindDouble                // DOUBLE
	kindBool                  // BOOLEAN
	kindJSON                  // BYTE_ARRAY (STRING) holding the value's JSON text
	kindGroup                 // group of named fields
	kindList                  // LIST of elem
	kindMap                   // MAP of string to elem
)

var kindNames = [...]string{"string", "timestamp(ms, UTC)", "int64", "double", "boolean", "json string", "group", "list", "map"}

func (k kind) String() string { return kindNames[k] }

// field is one node of a mapped schema: the JSON Schema node it came from,
// said in Parquet terms, with what writing a row needs.
type field struct {
	name     string
	kind     kind
	optional bool
	fields   []*field // kindGroup: sorted by name, as Parquet orders a group
	elem     *field   // kindList: the element; kindMap: the value
	column   int      // a leaf's column index; kindMap: the key's
	repLevel int      // kindList, kindMap: the repetition level of its entries
	reason   string   // kindJSON: why the node could not be typed
}

// Schema is a JSON Schema mapped to Parquet: the Parquet schema the files
// are written with and what turns a JSON event into one of its rows. It is
// safe for concurrent use.
type Schema struct {
	uri    string
	root   *field
	schema *pq.Schema
	json   []JSONColumn
}

// JSONColumn is a column that holds JSON text because its JSON Schema has
// no Parquet type (see the package documentation), and why.
type JSONColumn struct {
	Path   string // a JSON pointer, such as /meta/extra
	Reason string
}

// MapSchema maps the JSON Schema doc (as event.Repository.Document returns
// it), whose URI is uri, to Parquet. It fails only when the schema's root
// is not an object with properties.
func MapSchema(uri string, doc map[string]any) (*Schema, error) {
	s := &Schema{uri: uri}
	root := s.mapNode("", doc, false, "", 0)
	if root.kind != kindGroup {
		return nil, fmt.Errorf("parquet: schema %s: the root is not an object with properties (%s)", uri, root.reason)
	}
	s.root = root
	name := strings.ReplaceAll(strings.Trim(uri, "/"), "/", "_")
	s.schema = pq.NewSchema(name, root.node().(pq.Group))
	if err := s.assignColumns(root, nil); err != nil {
		return nil, fmt.Errorf("parquet: schema %s: %w", uri, err)
	}
	return s, nil
}

// URI returns the URI of the JSON Schema s was mapped from.
func (s *Schema) URI() string { return s.uri }

// Parquet returns the Parquet schema.
func (s *Schema) Parquet() *pq.Schema { return s.schema }

// JSONColumns returns the columns that hold JSON text, in schema order.
func (s *Schema) JSONColumns() []JSONColumn { return slices.Clone(s.json) }

// mapNode maps the JSON Schema node v of the field at (a JSON pointer) to a
// field. repLevel is the number of repeated Parquet nodes above it.
func (s *Schema) mapNode(name string, v any, optional bool, at string, repLevel int) *field {
	f := &field{name: name, optional: optional}
	node, _ := v.(map[string]any)
	types, nullable := schemaTypes(node)
	if nullable {
		f.optional = true
	}
	switch {
	case len(types) == 0:
		s.asJSON(f, at, "no type")
	case len(types) > 1:
		s.asJSON(f, at, "several types: "+strings.Join(types, ", "))
	case types[0] == "string":
		f.kind = kindString
		if node["format"] == "date-time" {
			f.kind = kindTimestamp
		}
	case types[0] == "integer":
		f.kind = kindInt64
	case types[0] == "number":
		f.kind = kindDouble
	case types[0] == "boolean":
		f.kind = kindBool
	case types[0] == "object":
		s.mapObject(f, node, at, repLevel)
	case types[0] == "array":
		items, ok := node["items"].(map[string]any)
		if !ok {
			s.asJSON(f, at, "an array without one items schema")
			break
		}
		f.kind, f.repLevel = kindList, repLevel+1
		f.elem = s.mapNode("element", items, false, at+"/-", repLevel+1)
	default:
		s.asJSON(f, at, "type "+types[0])
	}
	return f
}

// mapObject maps an object node: a group when it has properties, a map
// when its additionalProperties is a schema, JSON text otherwise.
func (s *Schema) mapObject(f *field, node map[string]any, at string, repLevel int) {
	props, _ := node["properties"].(map[string]any)
	extra, extraSchema := node["additionalProperties"].(map[string]any)
	switch {
	case len(props) > 0 && extraSchema && !sameShapes(props, extra):
		s.asJSON(f, at, "properties unlike its additionalProperties schema")
	case extraSchema:
		// A map, even with properties that name some of its keys (as
		// revision/create's rev_slots names main) when they have the
		// additionalProperties' shape.
		f.kind, f.repLevel = kindMap, repLevel+1
		f.elem = s.mapNode("value", extra, false, at+"/*", repLevel+1)
	case len(props) > 0:
		required := map[string]bool{}
		list, _ := node["required"].([]any)
		for _, r := range list {
			if name, ok := r.(string); ok {
				required[name] = true
			}
		}
		f.kind = kindGroup
		for _, name := range sortedNames(props) {
			f.fields = append(f.fields, s.mapNode(name, props[name], !required[name], at+"/"+escapePointer(name), repLevel))
		}
	default:
		s.asJSON(f, at, "an object without properties or an additionalProperties schema")
	}
}

// sameShapes reports whether every schema of props maps to what extra maps
// to, whether required or not.
func sameShapes(props map[string]any, extra map[string]any) bool {
	var probe Schema
	want := probe.mapNode("value", extra, false, "", 0)
	for _, p := range props {
		if !sameShape(probe.mapNode("value", p, false, "", 0), want) {
			return false
		}
	}
	return true
}

func sameShape(a, b *field) bool {
	if a.kind != b.kind || len(a.fields) != len(b.fields) || (a.elem == nil) != (b.elem == nil) {
		return false
	}
	for i := range a.fields {
		if a.fields[i].name != b.fields[i].name || a.fields[i].optional != b.fields[i].optional ||
			!sameShape(a.fields[i], b.fields[i]) {
			return false
		}
	}
	return a.elem == nil || (a.elem.optional == b.elem.optional && sameShape(a.elem, b.elem))
}

func (s *Schema) asJSON(f *field, at, reason string) {
	f.kind, f.reason = kindJSON, reason
	s.json = append(s.json, JSONColumn{Path: at, Reason: reason})
}

// schemaTypes returns the types a JSON Schema node allows other than null,
// and whether it allows null. A node without type but with properties is
// an object.
func schemaTypes(node map[string]any) (types []string, nullable bool) {
	switch t := node["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, v := range t {
			if name, ok := v.(string); ok {
				types = append(types, name)
			}
		}
	}
	if i := slices.Index(types, "null"); i >= 0 {
		types = slices.Delete(types, i, i+1)
		nullable = true
	}
	if len(types) == 0 && node["properties"] != nil {
		types = []string{"object"}
	}
	return types, nullable
}

// node returns the Parquet node of f.
func (f *field) node() pq.Node {
	var n pq.Node
	switch f.kind {
	case kindString, kindJSON:
		n = pq.String()
	case kindTimestamp:
		n = pq.Timestamp(pq.Millisecond)
	case kindInt64:
		n = pq.Int(64)
	case kindDouble:
		n = pq.Leaf(pq.DoubleType)
	case kindBool:
		n = pq.Leaf(pq.BooleanType)
	case kindGroup:
		g := pq.Group{}
		for _, c := range f.fields {
			g[c.name] = c.node()
		}
		n = g
	case kindList:
		n = pq.List(f.elem.node())
	case kindMap:
		n = pq.Map(pq.String(), f.elem.node())
	}
	if f.name == "" { // the root
		return n
	}
	if f.optional {
		return pq.Optional(n)
	}
	return pq.Required(n)
}

// assignColumns gives every leaf under f its column index, as the Parquet
// schema numbers them, at path.
func (s *Schema) assignColumns(f *field, path []string) error {
	lookup := func(path []string) (int, error) {
		leaf, ok := s.schema.Lookup(path...)
		if !ok {
			return 0, fmt.Errorf("no column %s", strings.Join(path, "."))
		}
		return leaf.ColumnIndex, nil
	}
	var err error
	switch f.kind {
	case kindGroup:
		for _, c := range f.fields {
			if err := s.assignColumns(c, append(slices.Clip(path), c.name)); err != nil {
				return err
			}
		}
	case kindList:
		return s.assignColumns(f.elem, append(slices.Clip(path), "list", "element"))
	case kindMap:
		kv := append(slices.Clip(path), "key_value")
		if f.column, err = lookup(append(slices.Clip(kv), "key")); err != nil {
			return err
		}
		return s.assignColumns(f.elem, append(kv, "value"))
	default:
		f.column, err = lookup(path)
	}
	return err
}

func sortedNames(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// escapePointer escapes a name for a JSON pointer (RFC 6901).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
