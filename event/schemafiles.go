package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Materialize returns title's current.yaml as jsonschema-tools writes it as
// its next version: $refs inlined, every allOf merged, examples only those
// current.yaml carries, and bounds (see RepoConfig.NumericBounds) given to
// every number and integer that has none. version is the one its $id names.
// Unlike a compiled schema, the result keeps every $id.
func (r *Repository) Materialize(title string, bounds []json.Number) (version string, schema map[string]any, err error) {
	uri := "/" + title + "/" + VersionCurrent
	canonical, file, err := r.locate(uri)
	if err != nil {
		return "", nil, &SchemaError{URI: uri, Err: err}
	}
	raw, err := parseFile(file)
	if err != nil {
		return "", nil, &SchemaError{URI: uri, Err: err}
	}
	id, _ := raw["$id"].(string)
	idTitle, version, err := ParseSchemaURI(id)
	if err != nil || !isSemver(version) {
		return "", nil, &SchemaError{URI: uri, Err: fmt.Errorf("%w: $id %q does not name the version to write; want $id: /%s/X.Y.Z", ErrBadSchema, id, title)}
	}
	if !idNamesTitle(idTitle, title) {
		return "", nil, &SchemaError{URI: uri, Err: fmt.Errorf("%w: $id %q names title %s, but the file is in %s; want $id: /%s/%s", ErrBadSchema, id, idTitle, title, title, version)}
	}
	schema, err = r.materializeFile(file, resourceURL(canonical), raw)
	if err != nil {
		return "", nil, &SchemaError{URI: uri, Err: err}
	}
	if bounds != nil {
		enforceNumericBounds(schema, bounds)
	}
	jsNumbers(schema)
	return version, schema, nil
}

// idNamesTitle reports whether the title of an $id fits the title whose
// directory holds the file: the same, or a trailing part of it at a slash,
// as jsonschema-tools' "$id must match directory" test accepts (Wikimedia's
// development/webrequest schema keeps the $id /webrequest/1.0.0).
func idNamesTitle(idTitle, title string) bool {
	return idTitle == title || strings.HasSuffix(title, "/"+idTitle)
}

// materializeFile inlines the refs of the current.yaml raw (read from file,
// at resource URL res) and merges its allOfs.
func (r *Repository) materializeFile(file schemaFile, res string, raw map[string]any) (map[string]any, error) {
	d := &dereferencer{r: r, docs: map[string]any{res: raw}}
	doc, err := d.deref(raw, res, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file.name, err)
	}
	out, err := materialize(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file.name, err)
	}
	return out, nil
}

// enforceNumericBounds gives every number or integer schema in s that lacks
// a minimum or maximum the bound, visiting the subschemas
// json-schema-traverse 0.4 visits, as jsonschema-tools does.
func enforceNumericBounds(s any, bounds []json.Number) {
	obj, ok := s.(map[string]any)
	if !ok {
		return
	}
	if t, _ := obj["type"].(string); t == "number" || t == "integer" {
		if _, ok := obj["minimum"]; !ok {
			obj["minimum"] = bounds[0]
		}
		if _, ok := obj["maximum"]; !ok {
			obj["maximum"] = bounds[1]
		}
	}
	for k, v := range obj {
		switch k {
		case "additionalItems", "contains", "additionalProperties", "propertyNames", "not":
			enforceNumericBounds(v, bounds)
		case "items", "allOf", "anyOf", "oneOf":
			if list, ok := v.([]any); ok {
				for _, e := range list {
					enforceNumericBounds(e, bounds)
				}
			} else if k == "items" {
				enforceNumericBounds(v, bounds)
			}
		case "definitions", "properties", "patternProperties", "dependencies":
			if m, ok := v.(map[string]any); ok {
				for _, e := range m {
					enforceNumericBounds(e, bounds)
				}
			}
		}
	}
}

// schemaKeyOrder is the order jsonschema-tools writes these keys in, before
// every other key, which follow sorted.
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

// MaterializeOptions configures MaterializeRepository.
type MaterializeOptions struct {
	// Bases are further schema repositories whose schemas $refs may name,
	// as Wikimedia's secondary repository $refs the primary's fragments.
	Bases []string
	// Overwrite rewrites a version file that exists and differs from what
	// its current.yaml materializes to. Without it that is an error: a
	// released version must not change.
	Overwrite bool
}

// Materialized is what MaterializeRepository did with one current.yaml.
type Materialized struct {
	// Title and Version name the schema written (or found up to date).
	Title, Version string
	// Written lists the files written or linked, relative to the
	// repository; empty when the version was up to date.
	Written []string
}

// ErrNotMaterialized means a version file differs from what its
// current.yaml materializes to.
var ErrNotMaterialized = errors.New("event: version file differs from its current.yaml")

// MaterializeRepository materializes every current.yaml of the schema
// repository in dir into the version its $id names, as jsonschema-tools'
// materialize-all does, with the files, symlinks and bounds dir's
// .jsonschema-tools.yaml asks for. A version whose file exists and equals
// the materialized current.yaml is left alone (a file written by
// jsonschema-tools may carry an example it generated; that is not a
// difference). A repository or config that cannot be read returns nil and
// the error; otherwise the error joins those of the current.yaml files that
// could not be materialized, and the others are done.
func MaterializeRepository(dir string, opts MaterializeOptions) ([]Materialized, error) {
	cfg, err := ReadRepoConfig(dir)
	if err != nil {
		return nil, err
	}
	r, err := OpenRepository(dir, opts.Bases...)
	if err != nil {
		return nil, err
	}
	base := dir
	if st, err := os.Stat(filepath.Join(dir, "jsonschema")); err == nil && st.IsDir() {
		base = filepath.Join(dir, "jsonschema") // as OpenRepository reads it
	}
	out := []Materialized{} // not nil: the repository was read
	var errs []error
	for _, title := range r.ownTitles() {
		if !r.HasCurrent(title) || r.titles[title].current.tree != 0 {
			continue
		}
		m, err := r.materializeTitle(base, title, cfg, opts.Overwrite)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, m)
	}
	return out, errors.Join(errs...)
}

// materializeTitle writes title's current.yaml as its version into the
// tree rooted at base (the directory its files are named from).
func (r *Repository) materializeTitle(base, title string, cfg RepoConfig, overwrite bool) (Materialized, error) {
	m := Materialized{Title: title}
	version, schema, err := r.Materialize(title, cfg.NumericBounds)
	if err != nil {
		return m, err
	}
	m.Version = version
	if old, ok := r.titles[title].versions[version]; ok && old.tree == 0 {
		doc, err := parseFile(old)
		if err != nil {
			return m, err
		}
		if sameMaterialized(doc, schema) {
			return m, nil
		}
		if !overwrite {
			return m, fmt.Errorf("%w: /%s/%s: %s differs from current.yaml materialized; a released version must not change: "+
				"bump the version in current.yaml's $id (or pass --overwrite if %s was never released)", ErrNotMaterialized, title, version, old.name, version)
		}
	}
	dir := filepath.Join(base, filepath.FromSlash(path.Dir(r.titles[title].current.name)))
	for _, ct := range cfg.ContentTypes {
		data, err := EncodeSchema(schema, ct)
		if err != nil {
			return m, err
		}
		name := version + "." + ct
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return m, fmt.Errorf("event: materialize /%s/%s: %w", title, version, err)
		}
		m.Written = append(m.Written, path.Join(title, name))
	}
	first := version + "." + cfg.ContentTypes[0]
	var links [][2]string // link name, target
	if cfg.SymlinkExtensionless {
		links = append(links, [2]string{version, first})
	}
	if latest := r.titles[title].latest; cfg.SymlinkLatest && (latest == "" || compareSemver(version, latest) >= 0) {
		for _, ct := range cfg.ContentTypes {
			links = append(links, [2]string{"latest." + ct, version + "." + ct})
		}
		if cfg.SymlinkExtensionless {
			links = append(links, [2]string{"latest", first})
		}
	}
	for _, l := range links {
		if err := replaceSymlink(l[1], filepath.Join(dir, l[0])); err != nil {
			return m, fmt.Errorf("event: materialize /%s/%s: %w", title, version, err)
		}
		m.Written = append(m.Written, path.Join(title, l[0]))
	}
	return m, nil
}

// replaceSymlink makes name a symlink to target, replacing what was there.
func replaceSymlink(target, name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Symlink(target, name)
}

// sameMaterialized reports whether a version file equals what its
// current.yaml materializes to. Examples in the file that current.yaml
// lacks are jsonschema-tools' generated ones, not a difference.
func sameMaterialized(file, materialized map[string]any) bool {
	if _, ok := materialized["examples"]; !ok {
		if _, ok := file["examples"]; ok {
			file = maps.Clone(file)
			delete(file, "examples")
		}
	}
	return sameJSON(file, materialized)
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
