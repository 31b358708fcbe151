package event

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// resourceBase is the base URL schemas are compiled under. The .invalid
// top-level domain cannot resolve, and the loader below serves every URL under
// it from the repository; any other URL is refused.
const resourceBase = "https://schemas.ripple.invalid"

// resourceURL returns the URL of a canonical schema URI. current.yaml lives
// at the title's directory URL (/title/), so that its relative refs such as
// ./#/definitions/x resolve to itself as jsonschema-tools resolves them.
func resourceURL(canonical string) string {
	if dir, ok := strings.CutSuffix(canonical, "/"+VersionCurrent); ok {
		return resourceBase + dir + "/"
	}
	return resourceBase + canonical
}

// loader serves schema documents from a Repository to the compiler.
type loader struct{ r *Repository }

// Load implements jsonschema.URLLoader.
func (l loader) Load(url string) (any, error) {
	file, err := l.file(url)
	if err != nil {
		return nil, err
	}
	return l.r.readDoc(file, url)
}

// file maps a resource URL to the file of the tree that holds it.
func (l loader) file(url string) (schemaFile, error) {
	uri, ok := strings.CutPrefix(url, resourceBase+"/")
	if !ok {
		return schemaFile{}, ErrRemoteRef
	}
	if i := strings.IndexAny(uri, "?#"); i >= 0 {
		uri = uri[:i]
	}
	if uri == "" || strings.HasSuffix(uri, "/") {
		uri += VersionCurrent
	}
	_, file, err := l.r.locate("/" + uri)
	return file, err
}

// readDoc reads the schema file at resource URL res, ready to compile. A
// current.yaml is materialized first, as jsonschema-tools would write it as
// its next X.Y.Z.yaml: its JSON references inlined (see dereferencer), then
// every allOf merged into the schema that holds it (see materialize).
// Then every $id is dropped (and a top-level draft-04 id): a schema's
// identity is its place in the tree, so refs resolve against that place;
// materialized files repeat the $id of a fragment wherever they inlined it,
// which a compiler would reject as duplicate ids; and current.yaml, whose $id
// names the version it will become, must not collide with that version.
func (r *Repository) readDoc(file schemaFile, res string) (any, error) {
	obj, err := parseFile(file)
	if err != nil {
		return nil, err
	}
	if path.Base(file.name) == "current.yaml" {
		if obj, err = r.materializeFile(file, res, obj); err != nil {
			return nil, err
		}
	}
	if _, ok := obj["id"].(string); ok {
		delete(obj, "id")
	}
	stripIDs(obj)
	return obj, nil
}

// parseFile reads and parses one schema file, which must hold an object.
func parseFile(file schemaFile) (map[string]any, error) {
	data, err := readFile(file)
	if err != nil {
		return nil, err
	}
	doc, err := parseYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadSchema, file.name, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s: not a YAML/JSON object", ErrBadSchema, file.name)
	}
	return obj, nil
}

// stripIDs deletes $id from schema s and its subschemas. It descends only
// through keywords that hold schemas, so a property named $id, or an example
// holding one, is left alone.
func stripIDs(s map[string]any) {
	if _, ok := s["$id"].(string); ok {
		delete(s, "$id")
	}
	for k, v := range s {
		switch k {
		case "$defs", "definitions", "dependencies", "patternProperties", "properties":
			if m, ok := v.(map[string]any); ok {
				for _, sub := range m {
					stripSub(sub)
				}
			}
		case "allOf", "anyOf", "oneOf", "items":
			if l, ok := v.([]any); ok {
				for _, sub := range l {
					stripSub(sub)
				}
			} else {
				stripSub(v)
			}
		case "additionalItems", "additionalProperties", "contains", "else", "if",
			"not", "propertyNames", "then":
			stripSub(v)
		}
	}
}

// stripSub calls stripIDs on v if it is a schema object.
func stripSub(v any) {
	if m, ok := v.(map[string]any); ok {
		stripIDs(m)
	}
}

// maxStubSize bounds files that may be symlink stubs.
const maxStubSize = 256

// readFile reads a file of the tree. A checkout made without symlink
// support stores a symlink as a one-line file holding the target's name
// (Wikimedia's repositories link X.Y.Z to X.Y.Z.yaml); such a stub is
// followed once, within the same directory tree.
func readFile(file schemaFile) ([]byte, error) {
	data, err := fs.ReadFile(file.fsys, file.name)
	if err != nil {
		return nil, err
	}
	target, ok := symlinkStub(data)
	if !ok {
		return data, nil
	}
	p := path.Join(path.Dir(file.name), target)
	if !fs.ValidPath(p) {
		return data, nil
	}
	if linked, err := fs.ReadFile(file.fsys, p); err == nil {
		return linked, nil
	}
	return data, nil
}

// symlinkStub reports whether data looks like a symlink stored as a file:
// one short line naming a path, and nothing else.
func symlinkStub(data []byte) (string, bool) {
	if len(data) == 0 || len(data) > maxStubSize {
		return "", false
	}
	s := string(bytes.TrimSpace(data))
	if s == "" || strings.ContainsAny(s, " \t\n\r:{}[]#\"'") {
		return "", false
	}
	return s, true
}
