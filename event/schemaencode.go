package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// schemaKeyOrder is the order jsonschema-tools writes these keys in, before
// every other key, which follow in localeCompare order.
var schemaKeyOrder = []string{"title", "description", "$id", "$schema", "type", "additionalProperties", "required", "properties", "allOf", "examples"}

// schemaKeyCompare orders keys as jsonschema-tools does, at every level.
func schemaKeyCompare(a, b string) int {
	i, j := slices.Index(schemaKeyOrder, a), slices.Index(schemaKeyOrder, b)
	switch {
	case i >= 0 && j >= 0:
		return i - j
	case i >= 0:
		return -1
	case j >= 0:
		return 1
	}
	return localeCompare(a, b)
}

// collationOrder is the order of the root collation of Unicode's CLDR (which
// JavaScript's localeCompare follows) for ASCII: spaces, punctuation and
// symbols, digits, then letters with case ignored.
const collationOrder = "\t\n\v\f\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz"

// localeCompare orders strings as JavaScript's a.localeCompare(b) does in
// Node for the ASCII keys of schemas: by collationOrder, then lower case
// before upper case; other characters after, by code point.
func localeCompare(a, b string) int {
	primary := func(r rune) int {
		if i := strings.IndexRune(collationOrder, unicode.ToLower(r)); i >= 0 && r < 128 {
			return i
		}
		return len(collationOrder) + int(r)
	}
	ra, rb := []rune(a), []rune(b)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if pa, pb := primary(ra[i]), primary(rb[i]); pa != pb {
			return pa - pb
		}
	}
	if len(ra) != len(rb) {
		return len(ra) - len(rb)
	}
	for i := range ra {
		if ra[i] != rb[i] {
			if unicode.IsLower(ra[i]) {
				return -1
			}
			return 1
		}
	}
	return 0
}

// sortedKeys returns m's keys in schemaKeyCompare order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, schemaKeyCompare)
	return keys
}

// EncodeSchema writes a schema as contentType ("yaml" or "json") with its
// keys in jsonschema-tools' order, so that files ripple writes diff cleanly
// against files jsonschema-tools wrote.
func EncodeSchema(schema any, contentType string) ([]byte, error) {
	switch contentType {
	case "yaml":
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(yamlNode(schema)); err != nil {
			return nil, fmt.Errorf("event: encode schema as YAML: %w", err)
		}
		return buf.Bytes(), enc.Close()
	case "json":
		var buf bytes.Buffer
		// No newline at the end, as jsonschema-tools writes it.
		if err := writeJSON(&buf, schema, ""); err != nil {
			return nil, fmt.Errorf("event: encode schema as JSON: %w", err)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("event: encode schema: content type %q is neither yaml nor json", contentType)
}

// yamlNode builds the YAML node of a parsed value, keys in schema order.
func yamlNode(v any) *yaml.Node {
	switch v := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range sortedKeys(v) {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, yamlNode(v[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range v {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(v), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(v)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(v)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v)}
}

// writeJSON writes v indented by two spaces, keys in schema order, as
// jsonschema-tools' json-stable-stringify does.
func writeJSON(buf *bytes.Buffer, v any, indent string) error {
	inner := indent + "  "
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			buf.WriteString("{}")
			return nil
		}
		buf.WriteString("{\n")
		for i, k := range sortedKeys(v) {
			if i > 0 {
				buf.WriteString(",\n")
			}
			buf.WriteString(inner)
			if err := writeJSONScalar(buf, k); err != nil {
				return err
			}
			buf.WriteString(": ")
			if err := writeJSON(buf, v[k], inner); err != nil {
				return err
			}
		}
		buf.WriteString("\n" + indent + "}")
	case []any:
		if len(v) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, e := range v {
			if i > 0 {
				buf.WriteString(",\n")
			}
			buf.WriteString(inner)
			if err := writeJSON(buf, e, inner); err != nil {
				return err
			}
		}
		buf.WriteString("\n" + indent + "]")
	default:
		return writeJSONScalar(buf, v)
	}
	return nil
}

// writeJSONScalar writes v as JavaScript's JSON.stringify does: <, > and &
// as they are.
func writeJSONScalar(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

// sameJSON reports whether two parsed values are equal, numbers by value
// (1 and 1.0 are one number in JSON, and in the JavaScript that wrote
// Wikimedia's files).
func sameJSON(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			if bv, ok := bm[k]; !ok || !sameJSON(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !sameJSON(a[i], bl[i]) {
				return false
			}
		}
		return true
	case json.Number:
		c, ok := compareNumbers(a, b)
		return ok && c == 0
	}
	return reflect.DeepEqual(a, b)
}

// jsNumbers rewrites every number in v as JavaScript prints it (1.0 as 1,
// 1e3 as 1000), as jsonschema-tools writes numbers it read.
func jsNumbers(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if n, ok := e.(json.Number); ok {
				v[k] = jsNumber(n)
			} else {
				jsNumbers(e)
			}
		}
	case []any:
		for i, e := range v {
			if n, ok := e.(json.Number); ok {
				v[i] = jsNumber(n)
			} else {
				jsNumbers(e)
			}
		}
	}
}

// jsNumber formats n as JavaScript's Number.prototype.toString does.
func jsNumber(n json.Number) json.Number {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return n
	}
	if f == 0 {
		return "0" // -0 too, as String(-0) is "0"
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // 1e+21, 1.5e-07
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	return json.Number(mant + "e" + string(sign) + exp)
}
