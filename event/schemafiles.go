package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"
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
