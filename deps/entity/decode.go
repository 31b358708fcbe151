package entity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// rawJSON is one JSON value as it appeared in the input; nil means absent.
type rawJSON = json.RawMessage

// document is an entity split into the sections ChangedAspects compares.
type document struct {
	id           string
	redirect     rawJSON            // the target of a redirect, or nil
	labels       map[string]rawJSON // by language
	descriptions map[string]rawJSON // by language
	aliases      rawJSON
	sitelinks    map[string]sitelink // by site id
	statements   map[string]rawJSON  // by property id
	other        map[string]rawJSON  // every other field, by name
}

// ignoredFields are the fields that change with every edit, or never, and
// that no page renders.
func ignoredField(name string) bool {
	switch name {
	case "lastrevid", "modified", "pageid", "ns", "title":
		return true
	}
	return false
}

// decodeEntity reads one side of a change. It returns nil for empty input,
// whitespace or null: no entity.
func decodeEntity(data []byte, side string) (*document, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	fields, err := decodeObject(data)
	if err != nil {
		return nil, invalid(side, "", err)
	}
	if envelope, ok := fields["entities"]; ok && len(fields) == 1 {
		// The Special:EntityData envelope: {"entities": {"Q42": {...}}}.
		entities, err := decodeObject(envelope)
		if err != nil || len(entities) != 1 {
			return nil, invalid(side, "entities", fmt.Errorf("want an object holding exactly one entity"))
		}
		for _, e := range entities {
			if fields, err = decodeObject(e); err != nil {
				return nil, invalid(side, "entities", err)
			}
		}
	}
	d := &document{other: map[string]rawJSON{}}
	for name, raw := range fields {
		if err := d.setField(name, raw); err != nil {
			return nil, invalid(side, name, err)
		}
	}
	if fields["claims"] != nil && fields["statements"] != nil && !isEmpty(fields["claims"]) && !isEmpty(fields["statements"]) {
		return nil, invalid(side, "statements", errors.New(`both "claims" and "statements" hold statements`))
	}
	return d, nil
}

// setField reads one top-level field into d.
func (d *document) setField(name string, raw rawJSON) error {
	var err error
	switch name {
	case "id":
		if err := json.Unmarshal(raw, &d.id); err != nil {
			return errors.New("want a string")
		}
	case "redirect":
		if !isEmpty(raw) {
			d.redirect = raw
		}
	case "labels":
		d.labels, err = decodeSection(raw, isLanguageCode, "a language code")
	case "descriptions":
		d.descriptions, err = decodeSection(raw, isLanguageCode, "a language code")
	case "aliases":
		d.aliases = raw
	case "claims", "statements":
		var s map[string]rawJSON
		if s, err = decodeSection(raw, isPropertyID, "a property id like P31"); err == nil && len(s) > 0 {
			d.statements = s
		}
	case "sitelinks":
		d.sitelinks, err = decodeSitelinks(raw)
	default:
		if !ignoredField(name) {
			d.other[name] = raw
		}
	}
	return err
}

// decodeSection reads a map section (labels, descriptions, claims) whose
// keys must pass valid. Wikibase writes an empty map as [].
func decodeSection(raw rawJSON, valid func(string) bool, want string) (map[string]rawJSON, error) {
	if isEmpty(raw) {
		return nil, nil
	}
	m, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	for k := range m {
		if !valid(k) {
			return nil, fmt.Errorf("key %q is not %s", k, want)
		}
	}
	return m, nil
}

// decodeSitelinks reads the sitelinks section.
func decodeSitelinks(raw rawJSON) (map[string]sitelink, error) {
	if isEmpty(raw) {
		return nil, nil
	}
	m, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	links := make(map[string]sitelink, len(m))
	for site, v := range m {
		var l struct {
			Title  string   `json:"title"`
			Badges []string `json:"badges"`
		}
		if err := json.Unmarshal(v, &l); err != nil {
			return nil, fmt.Errorf("%s: want {site, title, badges}: %w", site, err)
		}
		slices.Sort(l.Badges)
		links[site] = sitelink{title: l.Title, badges: slices.Compact(l.Badges)}
	}
	return links, nil
}

// decodeObject reads a JSON object into its members.
func decodeObject(raw rawJSON) (map[string]rawJSON, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		if err := json.Unmarshal(raw, new(any)); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("want an object, got %s", kindOf(raw))
	}
	var m map[string]rawJSON
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// kindOf names the kind of a valid JSON value for error messages.
func kindOf(raw rawJSON) string {
	switch raw[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// invalid wraps err into an ErrInvalidJSON naming the side and field.
func invalid(side, field string, err error) error {
	where := side
	if field != "" {
		where += ": " + field
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) && field == "" {
		return fmt.Errorf("%w: %s: %v (at byte %d)", ErrInvalidJSON, where, syntax, syntax.Offset)
	}
	return fmt.Errorf("%w: %s: %v", ErrInvalidJSON, where, err)
}

// isLanguageCode reports whether s can follow "L." in an aspect:
// [A-Za-z0-9-]+, at most 64 bytes.
func isLanguageCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isPropertyID reports whether s is a property id: P[1-9][0-9]*, at most
// 20 bytes.
func isPropertyID(s string) bool {
	if len(s) < 2 || len(s) > 20 || s[0] != 'P' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// equalJSON reports whether two JSON values are equal in meaning: objects
// whatever the order of their members, numbers whatever their spelling,
// and absent, null, {} and [] alike.
func equalJSON(a, b rawJSON) bool {
	if bytes.Equal(a, b) {
		return true
	}
	return equalValues(decodeValue(a), decodeValue(b))
}

// decodeValue decodes a valid raw value, keeping numbers exact; absent is
// nil.
func decodeValue(raw rawJSON) any {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		// Raw values come from a decoded document, so this cannot happen;
		// comparing the bytes is the safe answer if it does.
		return string(raw)
	}
	return v
}

// isEmpty reports whether raw, a valid JSON value or nothing, is absent,
// null, {} or [].
func isEmpty(raw rawJSON) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return true
	}
	if raw[0] != '{' && raw[0] != '[' {
		return false
	}
	inner := bytes.TrimSpace(raw[1:])
	return len(inner) == 1 // only the closing bracket
}

// isEmptyValue reports whether v is nil or an empty object or array.
func isEmptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// equalValues compares decoded JSON values as equalJSON does.
func equalValues(a, b any) bool {
	if isEmptyValue(a) || isEmptyValue(b) {
		return isEmptyValue(a) && isEmptyValue(b)
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range x {
			if !equalValues(v, y[k]) {
				return false
			}
		}
		for k, v := range y {
			if _, ok := x[k]; !ok && !isEmptyValue(v) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		return ok && equalNumbers(string(x), string(y))
	}
	return a == b // strings and booleans
}

// equalNumbers reports whether two JSON numbers have the same value,
// exactly, whatever their spelling.
func equalNumbers(a, b string) bool {
	if a == b {
		return true
	}
	ca, okA := canonicalNumber(a)
	cb, okB := canonicalNumber(b)
	return okA && okB && ca == cb
}

// canonicalNumber returns a JSON number as sign, significant digits and
// exponent ("-12e3" for -12000, "0" for any zero). It reports false for
// an exponent too large to handle; such numbers compare by spelling.
func canonicalNumber(s string) (string, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mantissa, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		expText = strings.TrimPrefix(expText, "+")
		expNeg := strings.HasPrefix(expText, "-")
		expText = strings.TrimLeft(strings.TrimPrefix(expText, "-"), "0")
		if len(expText) > 9 {
			return "", false
		}
		for _, c := range expText {
			exp = exp*10 + int(c-'0')
		}
		if expNeg {
			exp = -exp
		}
	}
	whole, frac, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	exp -= len(frac)
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	if trimmed == "" {
		return "0", true
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return fmt.Sprintf("%s%se%d", sign, trimmed, exp), true
}
