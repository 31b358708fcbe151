package event

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// incompat is one way a schema version breaks compatibility with the one
// before it.
type incompat struct {
	field   string
	kind    incompatKind
	message string
}

// incompatKind classifies an incompatibility, for the advice.
type incompatKind int

const (
	removedField incompatKind = iota
	changedType
	newRequired
	noLongerRequired
	narrowedEnum
	changedConstraint
)

// fix says what to do about d, a change since version old.
func (d incompat) fix(old string) string {
	major := "release it as a new major version (bump the first number of $id) instead"
	switch d.kind {
	case removedField:
		return "restore the field; to remove it, " + major
	case changedType:
		return "keep the type " + old + " has (add a field of the new type under a new name), or " + major
	case newRequired:
		return "make the field optional (leave it out of required), or " + major
	case noLongerRequired:
		return "keep the field required (consumers of " + old + " rely on it), or " + major +
			"; a deliberate exception goes in skipSchemaTestCases of " + RepoConfigFile
	case narrowedEnum:
		return "keep every value " + old + " allows; add values only"
	}
	return "keep what " + old + " accepts: a narrower schema rejects events producers of " + old + " send; or " + major
}

// annotationKeywords may change freely between versions. maxLength is
// among them because jsonschema-tools lets it change.
var annotationKeywords = []string{"$id", "$comment", "title", "description", "examples", "default", "maxLength"}

// narrowingKeywords narrow what a field may hold when a new version adds
// them where the old one had none: a type where any was allowed, an enum
// or const where any value was.
var narrowingKeywords = []string{"type", "enum", "const"}

// incompatibilities returns how schema cur breaks compatibility with old at
// field, by the rules of jsonschema-tools' compatibility test made to name
// the field: a property removed, a type changed, a property newly required
// or no longer required, an enum that lost values, any other keyword old
// has removed or changed (but annotations, see annotationKeywords); and,
// beyond jsonschema-tools, a type, enum or const added where old had none.
// New optional properties are compatible, and so are other keywords a new
// version adds (such as additionalProperties: false or a pattern):
// Wikimedia's events name their version in $schema and are validated
// against it, so a new version never judges old events; what it must not
// break is what readers of the stream see, which those rules keep.
// Bounds that only restate the enforced numeric bounds are not a change.
func incompatibilities(old, cur any, field string, bounds []json.Number) []incompat {
	if sameJSON(old, cur) {
		return nil
	}
	om, ok1 := old.(map[string]any)
	cm, ok2 := cur.(map[string]any)
	if !ok1 || !ok2 {
		return []incompat{{field: field, kind: changedConstraint, message: fmt.Sprintf("the schema changed from %s to %s", short(old), short(cur))}}
	}
	var out []incompat
	if om["required"] != nil || cm["required"] != nil {
		out = append(out, requiredChanges(om["required"], cm["required"], field, om, cm)...)
	}
	for _, k := range sortedKeys(om) {
		if slices.Contains(annotationKeywords, k) || k == "required" {
			continue
		}
		ov := om[k]
		cv, inCur := cm[k]
		switch {
		case k == "properties":
			out = append(out, propertyChanges(ov, cv, field, bounds)...)
		case k == "enum":
			if lost := missingValues(ov, cv); inCur && len(lost) > 0 {
				out = append(out, incompat{field: field, kind: narrowedEnum, message: fmt.Sprintf("enum no longer allows %s", short(lost))})
			} else if !inCur {
				continue // dropping an enum widens
			}
		case !inCur:
			out = append(out, incompat{field: field, kind: changedConstraint, message: fmt.Sprintf("%s %s was removed", k, short(ov))})
		case k == "type" && !sameJSON(ov, cv):
			out = append(out, incompat{field: field, kind: changedType, message: fmt.Sprintf("type changed from %s to %s", short(ov), short(cv))})
		case k == "items" || k == "additionalItems" || k == "contains":
			out = append(out, incompatibilities(ov, cv, subField(field, k), bounds)...)
		case k == "additionalProperties" || k == "propertyNames" || k == "not" || k == "if" || k == "then" || k == "else":
			out = append(out, incompatibilities(ov, cv, subField(field, k), bounds)...)
		case k == "definitions" || k == "$defs" || k == "patternProperties" || k == "dependencies":
			out = append(out, keyedChanges(k, ov, cv, field, bounds)...)
		case !sameJSON(ov, cv):
			out = append(out, incompat{field: field, kind: changedConstraint, message: fmt.Sprintf("%s changed from %s to %s", k, short(ov), short(cv))})
		}
	}
	for _, k := range sortedKeys(cm) {
		if _, inOld := om[k]; inOld || !slices.Contains(narrowingKeywords, k) || restatesBound(k, cm[k], bounds) {
			continue
		}
		out = append(out, incompat{field: field, kind: changedConstraint, message: fmt.Sprintf("%s %s was added", k, short(cm[k]))})
	}
	return out
}

// propertyChanges compares the properties of two schemas.
func propertyChanges(ov, cv any, field string, bounds []json.Number) []incompat {
	op, _ := ov.(map[string]any)
	cp, _ := cv.(map[string]any)
	var out []incompat
	for _, name := range sortedKeys(op) {
		f := joinField(field, name)
		next, ok := cp[name]
		if !ok {
			out = append(out, incompat{field: f, kind: removedField, message: "the field was removed"})
			continue
		}
		out = append(out, incompatibilities(op[name], next, f, bounds)...)
	}
	return out
}

// requiredChanges compares the required lists of two schemas.
func requiredChanges(ov, cv any, field string, om, cm map[string]any) []incompat {
	oldReq, _ := stringList(ov)
	curReq, _ := stringList(cv)
	oldProps, _ := om["properties"].(map[string]any)
	var out []incompat
	for _, name := range curReq {
		if slices.Contains(oldReq, name) {
			continue
		}
		msg := "the field became required"
		if _, existed := oldProps[name]; !existed {
			msg = "a new field is required"
		}
		out = append(out, incompat{field: joinField(field, name), kind: newRequired, message: msg})
	}
	curProps, _ := cm["properties"].(map[string]any)
	for _, name := range oldReq {
		if _, exists := curProps[name]; !slices.Contains(curReq, name) && exists {
			out = append(out, incompat{field: joinField(field, name), kind: noLongerRequired, message: "the field is no longer required"})
		}
	}
	return out
}

// keyedChanges compares maps of subschemas (definitions, patternProperties).
func keyedChanges(k string, ov, cv any, field string, bounds []json.Number) []incompat {
	om, ok1 := ov.(map[string]any)
	cm, ok2 := cv.(map[string]any)
	if !ok1 || !ok2 {
		return incompatibilities(ov, cv, field, bounds)
	}
	var out []incompat
	for _, name := range sortedKeys(om) {
		next, ok := cm[name]
		if !ok {
			out = append(out, incompat{field: field, kind: changedConstraint, message: fmt.Sprintf("%s %q was removed", k, name)})
			continue
		}
		out = append(out, incompatibilities(om[name], next, field, bounds)...)
	}
	return out
}

// missingValues returns the values of enum ov that enum cv lacks.
func missingValues(ov, cv any) []any {
	ol, _ := ov.([]any)
	cl, _ := cv.([]any)
	var out []any
	for _, v := range ol {
		if !slices.ContainsFunc(cl, func(w any) bool { return sameJSON(v, w) }) {
			out = append(out, v)
		}
	}
	return out
}

// restatesBound reports whether keyword k with value v only restates the
// repository's enforced numeric bounds, which jsonschema-tools adds to
// every number; an old version written before it did lacks them.
func restatesBound(k string, v any, bounds []json.Number) bool {
	if bounds == nil {
		return false
	}
	switch k {
	case "minimum":
		c, ok := compareNumbers(v, bounds[0])
		return ok && c <= 0
	case "maximum":
		c, ok := compareNumbers(v, bounds[1])
		return ok && c >= 0
	}
	return false
}

// short renders a value for a message, cut to a readable length.
func short(v any) string {
	b, err := json.Marshal(v)
	s := string(b)
	if err != nil {
		s = fmt.Sprint(v)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strings.ReplaceAll(s, `"`, "")
}
