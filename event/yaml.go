package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxYAMLNodes bounds the values one schema file may expand to, so a file
// full of aliases cannot blow up memory.
const maxYAMLNodes = 1 << 20

// parseYAML parses a YAML (or JSON) document into the values encoding/json
// would produce with UseNumber: map[string]any, []any, string, json.Number,
// bool and nil. Timestamps stay the strings they were written as, because
// JSON Schema checks date-time on strings.
func parseYAML(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// YAML 1.2 (and js-yaml, which wrote Wikimedia's schemas) allows the
		// JSON escape \/ in double-quoted scalars; go-yaml does not.
		fixed, ok := unescapeSlashes(data)
		if !ok || !strings.Contains(err.Error(), "unknown escape character") || yaml.Unmarshal(fixed, &doc) != nil {
			return nil, err
		}
	}
	budget := maxYAMLNodes
	return yamlValue(&doc, &budget)
}

// unescapeSlashes rewrites each \/ inside a double-quoted scalar of data
// as /, and reports whether it found one. It follows quotes and comments
// only, which is enough for a retry whose result must still parse.
func unescapeSlashes(data []byte) ([]byte, bool) {
	out := make([]byte, 0, len(data))
	found := false
	var quote byte // the quote of the scalar we are in, or 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case quote == '"' && c == '\\' && i+1 < len(data):
			if data[i+1] == '/' {
				found = true
				out = append(out, '/')
			} else {
				out = append(out, c, data[i+1])
			}
			i++
			continue
		case quote != 0 && c == quote:
			if quote == '\'' && i+1 < len(data) && data[i+1] == '\'' {
				out = append(out, c, c) // '' inside single quotes
				i++
				continue
			}
			quote = 0
		case quote == 0 && (c == '"' || c == '\'') && startsScalar(data, i):
			quote = c
		case quote == 0 && c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n'):
			j := bytes.IndexByte(data[i:], '\n')
			if j < 0 {
				j = len(data) - i
			}
			out = append(out, data[i:i+j]...)
			i += j - 1
			continue
		}
		out = append(out, c)
	}
	return out, found
}

// startsScalar reports whether the quote at data[i] opens a quoted scalar:
// it follows the start of a line, indentation, or one of ": ", "- ", "[",
// "{", ",", "? ".
func startsScalar(data []byte, i int) bool {
	j := i - 1
	for j >= 0 && data[j] == ' ' {
		j--
	}
	if j < 0 || data[j] == '\n' || strings.IndexByte("[{,", data[j]) >= 0 {
		return true
	}
	return j < i-1 && strings.IndexByte(":-?", data[j]) >= 0
}

// yamlValue converts one node, spending one unit of budget per node.
func yamlValue(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("more than %d values", maxYAMLNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0], budget)
	case yaml.AliasNode:
		return yamlValue(n.Alias, budget)
	case yaml.MappingNode:
		return yamlMapping(n, budget)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlValue(c, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		return yamlScalar(n)
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node kind %d", n.Line, n.Kind)
}

// yamlMapping converts a mapping; keys become strings as written.
func yamlMapping(n *yaml.Node, budget *int) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		for k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
		}
		if k.ShortTag() == "!!merge" {
			return nil, fmt.Errorf("line %d: YAML merge keys (<<) are not supported", k.Line)
		}
		v, err := yamlValue(n.Content[i+1], budget)
		if err != nil {
			return nil, err
		}
		out[k.Value] = v
	}
	return out, nil
}

// yamlScalar converts a scalar by its resolved tag.
func yamlScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, err
		}
		return b, nil
	case "!!int", "!!float":
		return yamlNumber(n)
	default: // !!str, !!timestamp, !!binary and custom tags keep their text.
		return n.Value, nil
	}
}

// yamlNumber converts a number, keeping its text when it is already JSON.
func yamlNumber(n *yaml.Node) (any, error) {
	if isJSONNumber(n.Value) {
		return json.Number(n.Value), nil
	}
	var i int64
	if err := n.Decode(&i); err == nil {
		return json.Number(strconv.FormatInt(i, 10)), nil
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		return nil, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("line %d: %s is not a JSON number", n.Line, n.Value)
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

// isJSONNumber reports whether s is a number in JSON syntax.
func isJSONNumber(s string) bool {
	if s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return false
	}
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil
}
