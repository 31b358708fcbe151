package event

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
)

// materialize turns a dereferenced current.yaml into what jsonschema-tools
// writes as its next version: allOf merged (see mergeAllOf), and examples
// only those the current.yaml itself carries, never a fragment's.
func materialize(doc any) (map[string]any, error) {
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: not a YAML/JSON object", ErrBadSchema)
	}
	_, hasExamples := root["examples"]
	merged, err := mergeAllOf(root)
	if err != nil {
		return nil, err
	}
	out, ok := merged.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: its allOf members cannot all hold (merged to %v)", ErrBadSchema, merged)
	}
	if !hasExamples {
		delete(out, "examples")
	}
	return out, nil
}

// mergeAllOf materializes a dereferenced schema the way Wikimedia's
// jsonschema-tools does when it turns a current.yaml into X.Y.Z.yaml (it runs
// json-schema-merge-allof with ignoreAdditionalProperties and keeps the first
// examples): every allOf, at any depth, is merged into the schema that holds
// it. This is what makes Wikimedia's pattern work, a top-level
// additionalProperties: false beside an allOf of fragments: compiled as
// written, the fragments' properties are "additional" to the top level and
// every event fails; merged, they are the top level's own.
//
// Keywords merge as json-schema-merge-allof merges them: properties,
// patternProperties, definitions and dependencies key by key; items and the
// other subschema keywords recursively; type and enum by intersection;
// required by union; minimums by maximum and maximums by minimum;
// uniqueItems by or; title, description, $id, $schema, default, examples and
// any non-validating keyword by the first value, the holding schema first.
// Where values conflict and no merge says the same thing (two patterns, two
// formats, two anyOfs, two if/then/else), the later ones stay in a residual
// allOf, which validates exactly as the original did.
func mergeAllOf(s any) (any, error) {
	return mergeSchemas([]any{s}, 0)
}

// mergeSchemas merges schemas that all apply to one instance.
func mergeSchemas(schemas []any, depth int) (any, error) {
	if depth > maxRefDepth {
		return nil, fmt.Errorf("%w: schemas nest more than %d deep", ErrBadSchema, maxRefDepth)
	}
	flat := flattenAllOf(schemas, nil)
	var objs []map[string]any
	for _, s := range flat {
		switch s := s.(type) {
		case bool:
			if !s {
				return false, nil // nothing is valid
			}
		case map[string]any:
			objs = append(objs, s)
		default:
			return nil, fmt.Errorf("%w: %s where a schema (an object or boolean) should be", ErrBadSchema, jsonKind(s))
		}
	}
	if len(objs) == 0 {
		return true, nil // only true schemas: everything is valid
	}
	m := merger{depth: depth, out: map[string]any{}}
	if err := m.mergeConditionals(objs); err != nil {
		return nil, err
	}
	for _, key := range keysInOrder(objs) {
		if slices.Contains(conditionalKeywords, key) {
			continue
		}
		values := distinct(objs, key)
		if err := m.merge(key, values); err != nil {
			return nil, err
		}
	}
	if len(m.residual) > 0 {
		m.out["allOf"] = m.residual
	}
	return m.out, nil
}

// flattenAllOf appends schemas to out, each followed by the members of its
// allOf (recursively), with the allOf itself removed.
func flattenAllOf(schemas []any, out []any) []any {
	for _, s := range schemas {
		obj, ok := s.(map[string]any)
		if !ok {
			out = append(out, s)
			continue
		}
		members, ok := obj["allOf"].([]any)
		if !ok {
			out = append(out, obj)
			continue
		}
		rest := make(map[string]any, len(obj)-1)
		for k, v := range obj {
			if k != "allOf" {
				rest[k] = v
			}
		}
		out = flattenAllOf(members, append(out, rest))
	}
	return out
}

// keysInOrder returns the keys of objs: those of the first object sorted,
// then the new ones of the next, and so on. Which keys come first matters
// only to the residual allOf, whose order follows the schemas'.
func keysInOrder(objs []map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range objs {
		keys := make([]string, 0, len(o))
		for k := range o {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		out = append(out, keys...)
	}
	return out
}

// distinct returns the distinct values of key in objs, in order.
func distinct(objs []map[string]any, key string) []any {
	var out []any
	for _, o := range objs {
		v, ok := o[key]
		if !ok || slices.ContainsFunc(out, func(w any) bool { return reflect.DeepEqual(v, w) }) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// merger builds one merged schema.
type merger struct {
	depth    int
	out      map[string]any
	residual []any // schemas that could not be merged into out
}

// Keywords grouped by how their values merge.
var (
	// keyedKeywords hold a map of subschemas (or, for dependencies, property lists).
	keyedKeywords = []string{"properties", "patternProperties", "definitions", "$defs", "dependencies"}
	// subschemaKeywords hold one subschema.
	subschemaKeywords = []string{"additionalProperties", "additionalItems", "contains", "propertyNames"}
	// atLeastKeywords and atMostKeywords merge to the strictest bound.
	atLeastKeywords = []string{"minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"}
	atMostKeywords  = []string{"maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"}
	// conflictingKeywords are validation keywords no merge expresses: a second
	// value stays in the residual allOf.
	conflictingKeywords = []string{"pattern", "format", "multipleOf", "const", "contentEncoding", "contentMediaType"}
	// arrayOfKeywords hold arrays of subschemas.
	arrayOfKeywords = []string{"anyOf", "oneOf"}
	// conditionalKeywords go together: one schema's if applies with its then/else.
	conditionalKeywords = []string{"if", "then", "else"}
)

// merge merges the distinct values one key has in the schemas.
func (m *merger) merge(key string, values []any) error {
	holdsSchemas := slices.Contains(keyedKeywords, key) || slices.Contains(subschemaKeywords, key) ||
		slices.Contains(arrayOfKeywords, key) || key == "items" || key == "not"
	if len(values) == 1 && !holdsSchemas {
		m.out[key] = values[0] // as written: a lone required list keeps its order
		return nil
	}
	switch {
	case slices.Contains(keyedKeywords, key):
		return m.mergeKeyed(key, values)
	case slices.Contains(subschemaKeywords, key):
		v, err := mergeSchemas(values, m.depth+1)
		m.out[key] = v
		return err
	case key == "items":
		return m.mergeItems(values)
	case key == "not":
		return m.mergeNot(values)
	case slices.Contains(arrayOfKeywords, key):
		return m.mergeArrayOf(key, values)
	case key == "type":
		return m.mergeType(values)
	case key == "enum":
		return m.mergeEnum(values)
	case key == "required":
		m.out[key] = unionStrings(values)
	case key == "uniqueItems":
		m.out[key] = slices.Contains(values, any(true))
	case slices.Contains(atLeastKeywords, key):
		m.out[key] = bound(values, 1)
	case slices.Contains(atMostKeywords, key):
		m.out[key] = bound(values, -1)
	case slices.Contains(conflictingKeywords, key):
		m.out[key] = values[0]
		for _, v := range values[1:] {
			m.residual = append(m.residual, map[string]any{key: v})
		}
	default: // annotations ($id, title, description, examples, ...): the first
		m.out[key] = values[0]
	}
	return nil
}

// mergeKeyed merges maps of subschemas key by key. Dependencies may map a
// property to the list of properties it requires; such lists are united.
func (m *merger) mergeKeyed(key string, values []any) error {
	var maps []map[string]any
	for _, v := range values {
		mv, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%w: %s is a %T, not an object", ErrBadSchema, key, v)
		}
		maps = append(maps, mv)
	}
	out := map[string]any{}
	for _, name := range keysInOrder(maps) {
		subs := distinct(maps, name)
		if key == "dependencies" && allArrays(subs) {
			out[name] = unionStrings(subs)
			continue
		}
		v, err := mergeSchemas(subs, m.depth+1)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", key, name, err)
		}
		out[name] = v
	}
	m.out[key] = out
	return nil
}

// mergeItems merges items: subschemas into one, tuples position by
// position; a tuple and a schema, or tuples that disagree, stay residual.
func (m *merger) mergeItems(values []any) error {
	if !allArrays(values) {
		if slices.ContainsFunc(values, isArray) {
			return m.keepFirst("items", values)
		}
		v, err := mergeSchemas(values, m.depth+1)
		m.out["items"] = v
		return err
	}
	if len(values) > 1 {
		return m.keepFirst("items", values)
	}
	tuple := values[0].([]any)
	out := make([]any, len(tuple))
	for i, s := range tuple {
		v, err := mergeSchemas([]any{s}, m.depth+1)
		if err != nil {
			return err
		}
		out[i] = v
	}
	m.out["items"] = out
	return nil
}

// mergeNot keeps one not; several become not anyOf them.
func (m *merger) mergeNot(values []any) error {
	if len(values) > 1 {
		values = []any{map[string]any{"anyOf": values}}
	}
	v, err := mergeSchemas(values, m.depth+1)
	m.out["not"] = v
	return err
}

// mergeConditionals keeps the if/then/else of the first schema that has one
// (each part merged); those of later schemas stay residual, together.
func (m *merger) mergeConditionals(objs []map[string]any) error {
	var triples []any
	for _, o := range objs {
		t := map[string]any{}
		for _, k := range conditionalKeywords {
			if v, ok := o[k]; ok {
				t[k] = v
			}
		}
		if len(t) > 0 && !slices.ContainsFunc(triples, func(u any) bool { return reflect.DeepEqual(t, u) }) {
			triples = append(triples, t)
		}
	}
	if len(triples) == 0 {
		return nil
	}
	for k, v := range triples[0].(map[string]any) {
		merged, err := mergeSchemas([]any{v}, m.depth+1)
		if err != nil {
			return err
		}
		m.out[k] = merged
	}
	m.residual = append(m.residual, triples[1:]...)
	return nil
}

// mergeArrayOf merges the members of one anyOf/oneOf; a second one stays
// residual.
func (m *merger) mergeArrayOf(key string, values []any) error {
	list, ok := values[0].([]any)
	if !ok {
		return fmt.Errorf("%w: %s is a %T, not an array", ErrBadSchema, key, values[0])
	}
	out := make([]any, len(list))
	for i, s := range list {
		v, err := mergeSchemas([]any{s}, m.depth+1)
		if err != nil {
			return err
		}
		out[i] = v
	}
	m.out[key] = out
	for _, v := range values[1:] {
		m.residual = append(m.residual, map[string]any{key: v})
	}
	return nil
}

// keepFirst keeps the first value of key and leaves the rest residual.
func (m *merger) keepFirst(key string, values []any) error {
	m.out[key] = values[0]
	for _, v := range values[1:] {
		m.residual = append(m.residual, map[string]any{key: v})
	}
	return nil
}

// mergeType intersects the types. "integer" is a kind of "number".
func (m *merger) mergeType(values []any) error {
	var common []string
	for i, v := range values {
		types, err := stringList(v)
		if err != nil {
			return fmt.Errorf("%w: type: %w", ErrBadSchema, err)
		}
		if i == 0 {
			common = types
			continue
		}
		common = intersectTypes(common, types)
	}
	switch len(common) {
	case 0:
		return fmt.Errorf("%w: allOf members have no type in common (%v): no value could be valid", ErrBadSchema, values)
	case 1:
		m.out["type"] = common[0]
	default:
		out := make([]any, len(common))
		for i, t := range common {
			out[i] = t
		}
		m.out["type"] = out
	}
	return nil
}

// intersectTypes returns the types of a that b allows too.
func intersectTypes(a, b []string) []string {
	var out []string
	for _, t := range a {
		switch {
		case slices.Contains(b, t):
			out = append(out, t)
		case t == "number" && slices.Contains(b, "integer"):
			out = append(out, "integer")
		case t == "integer" && slices.Contains(b, "number"):
			out = append(out, "integer")
		}
	}
	return slices.Compact(out)
}

// mergeEnum intersects the enums.
func (m *merger) mergeEnum(values []any) error {
	common, ok := values[0].([]any)
	if !ok {
		return fmt.Errorf("%w: enum is a %T, not an array", ErrBadSchema, values[0])
	}
	for _, v := range values[1:] {
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%w: enum is a %T, not an array", ErrBadSchema, v)
		}
		common = slices.DeleteFunc(slices.Clone(common), func(e any) bool {
			return !slices.ContainsFunc(list, func(f any) bool { return reflect.DeepEqual(e, f) })
		})
	}
	if len(common) == 0 {
		return fmt.Errorf("%w: allOf members have no enum value in common: no value could be valid", ErrBadSchema)
	}
	m.out["enum"] = common
	return nil
}

// bound returns the largest (sign 1) or smallest (sign -1) number of values.
// Values that are not numbers are kept as the first one found, for the
// compiler to reject.
func bound(values []any, sign int) any {
	best := values[0]
	for _, v := range values[1:] {
		if c, ok := compareNumbers(v, best); ok && c*sign > 0 {
			best = v
		}
	}
	return best
}

// unionStrings returns the sorted union of string lists; anything else in
// them is dropped (the compiler would have rejected it).
func unionStrings(values []any) []any {
	var all []string
	for _, v := range values {
		list, _ := v.([]any)
		for _, e := range list {
			if s, ok := e.(string); ok {
				all = append(all, s)
			}
		}
	}
	slices.Sort(all)
	all = slices.Compact(all)
	out := make([]any, len(all))
	for i, s := range all {
		out[i] = s
	}
	return out
}

// stringList reads a type value: a string or a list of strings.
func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%v is not a string", e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%v is neither a string nor a list", v)
}

// allArrays reports whether every value is an array.
func allArrays(values []any) bool {
	return !slices.ContainsFunc(values, func(v any) bool { return !isArray(v) })
}

// isArray reports whether v is a JSON array.
func isArray(v any) bool {
	_, ok := v.([]any)
	return ok
}

// compareNumbers compares two JSON numbers (json.Number or float64).
func compareNumbers(a, b any) (int, bool) {
	x, ok1 := toFloat(a)
	y, ok2 := toFloat(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

// toFloat reads a number value.
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// jsonKind names the JSON type of a parsed value, for messages.
func jsonKind(v any) string {
	switch v := v.(type) {
	case []any:
		return fmt.Sprintf("an array %s", short(v))
	case string:
		return fmt.Sprintf("a string %q", v)
	case json.Number:
		return "a number " + string(v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}
