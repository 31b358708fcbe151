package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Repository is a tree of JSON schemas laid out like Wikimedia's
// schemas-event-primary: jsonschema/<title>/<version>.yaml holds the
// materialized version of a title and jsonschema/<title>/current.yaml its
// unmaterialized source. Schemas compile on first use and are cached; a
// Repository is safe for concurrent use.
//
// A Repository may span several trees, as Wikimedia's secondary schema
// repository $refs fragments of the primary one. A $ref such as
// /fragment/common/2.0.0#/properties resolves inside these trees, never over
// the network.
type Repository struct {
	titles map[string]*title // read-only after open

	mu struct {
		sync.Mutex
		schemas map[string]*compiled // by canonical URI
	}
}

// title holds the files of one schema title.
type title struct {
	versions map[string]schemaFile // by version
	current  schemaFile            // current.yaml, or zero
	latest   string                // highest version, or ""
}

// schemaFile is one file of one tree.
type schemaFile struct {
	fsys fs.FS
	name string // slash-separated path in fsys
	tree int    // which tree holds it: 0 is the repository's own
}

// compiled is a cache entry; once guards the compilation.
type compiled struct {
	once   sync.Once
	schema *Schema
	err    error
}

// OpenRepository opens the schema tree in dir: either a directory holding a
// jsonschema/ folder (a schema repository checkout) or the jsonschema/
// folder itself. Further directories add their trees; where two trees hold
// the same version of a title, the earlier one wins.
func OpenRepository(dir string, more ...string) (*Repository, error) {
	trees := make([]fs.FS, 0, 1+len(more))
	for _, d := range append([]string{dir}, more...) {
		info, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("event: open schema repository: %w", err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("event: open schema repository: %s is not a directory", d)
		}
		trees = append(trees, os.DirFS(d))
	}
	return OpenRepositoryFS(trees[0], trees[1:]...)
}

// OpenRepositoryFS opens the schema trees in fsys and more, laid out as for
// OpenRepository. It reads the directory structure now and the schema files
// when they are first used.
func OpenRepositoryFS(fsys fs.FS, more ...fs.FS) (*Repository, error) {
	r := &Repository{titles: map[string]*title{}}
	r.mu.schemas = map[string]*compiled{}
	for i, tree := range append([]fs.FS{fsys}, more...) {
		if err := r.addTree(tree, i); err != nil {
			return nil, fmt.Errorf("event: open schema repository (tree %d): %w", i, err)
		}
	}
	if len(r.titles) == 0 {
		return nil, fmt.Errorf("event: open schema repository: no schemas found (want <title>/<X.Y.Z>.yaml files)")
	}
	for _, t := range r.titles {
		for v := range t.versions {
			if t.latest == "" || compareSemver(v, t.latest) > 0 {
				t.latest = v
			}
		}
	}
	return r, nil
}

// addTree records the schema files of one tree; files already recorded from
// an earlier tree stay.
func (r *Repository) addTree(fsys fs.FS, tree int) error {
	if info, err := fs.Stat(fsys, "jsonschema"); err == nil && info.IsDir() {
		sub, err := fs.Sub(fsys, "jsonschema")
		if err != nil {
			return err
		}
		fsys = sub
	}
	found := map[string]*title{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir // .git and friends
			}
			return nil
		}
		addFile(found, schemaFile{fsys: fsys, name: p, tree: tree})
		return nil
	})
	if err != nil {
		return err
	}
	for name, t := range found {
		old := r.titles[name]
		if old == nil {
			r.titles[name] = t
			continue
		}
		if old.current.name == "" {
			old.current = t.current
		}
		for v, f := range t.versions {
			if _, ok := old.versions[v]; !ok {
				old.versions[v] = f
			}
		}
	}
	return nil
}

// addFile records f in titles if it is a schema file.
func addFile(titles map[string]*title, f schemaFile) {
	dir, name := path.Split(f.name)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		return
	}
	ver, isVersion := versionOfFile(name)
	if name != "current.yaml" && !isVersion {
		return
	}
	t := titles[dir]
	if t == nil {
		t = &title{versions: map[string]schemaFile{}}
		titles[dir] = t
	}
	if name == "current.yaml" {
		t.current = f
		return
	}
	// Prefer X.Y.Z.yaml over X.Y.Z.json over an extension-less X.Y.Z.
	if old, ok := t.versions[ver]; !ok || filePreference(f.name) < filePreference(old.name) {
		t.versions[ver] = f
	}
}

// versionOfFile returns the version a file name such as 1.2.0.yaml holds.
func versionOfFile(name string) (string, bool) {
	v := strings.TrimSuffix(strings.TrimSuffix(name, ".yaml"), ".json")
	return v, isSemver(v)
}

// filePreference ranks the files of one version; lower wins.
func filePreference(p string) int {
	switch path.Ext(p) {
	case ".yaml":
		return 0
	case ".json":
		return 1
	}
	return 2
}

// Titles returns the schema titles in the repository, sorted.
func (r *Repository) Titles() []string {
	out := make([]string, 0, len(r.titles))
	for t := range r.titles {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Versions returns the materialized versions of title, oldest first.
func (r *Repository) Versions(title string) []string {
	t := r.titles[title]
	if t == nil {
		return nil
	}
	out := make([]string, 0, len(t.versions))
	for v := range t.versions {
		out = append(out, v)
	}
	slices.SortFunc(out, compareSemver)
	return out
}

// HasCurrent reports whether title has a current.yaml.
func (r *Repository) HasCurrent(title string) bool {
	t := r.titles[title]
	return t != nil && t.current.name != ""
}

// URIs returns the URI of every materialized schema, such as
// /resource_change/1.0.0, sorted by title then version.
func (r *Repository) URIs() []string {
	var out []string
	for _, t := range r.Titles() {
		for _, v := range r.Versions(t) {
			out = append(out, "/"+t+"/"+v)
		}
	}
	return out
}

// locate resolves a schema URI to its canonical form (/title/X.Y.Z or
// /title/current) and the file that holds it.
func (r *Repository) locate(uri string) (canonical string, file schemaFile, err error) {
	name, version, err := ParseSchemaURI(uri)
	if err != nil {
		return "", file, err
	}
	t := r.titles[name]
	if t == nil {
		return "", file, fmt.Errorf("%w: no title %q", ErrSchemaNotFound, name)
	}
	switch version {
	case VersionLatest:
		version = t.latest
		file = t.versions[version]
	case VersionCurrent:
		file = t.current
	default:
		file = t.versions[version]
	}
	if file.name == "" {
		return "", file, fmt.Errorf("%w: %s has versions %v", ErrSchemaNotFound, name, r.Versions(name))
	}
	return "/" + name + "/" + version, file, nil
}

// Schema returns the compiled schema at uri: /<title>/<version> with an
// optional .yaml or .json ending, where version is X.Y.Z, latest (the highest
// X.Y.Z) or current (current.yaml). Errors are *SchemaError.
func (r *Repository) Schema(uri string) (*Schema, error) {
	canonical, _, err := r.locate(uri)
	if err != nil {
		return nil, &SchemaError{URI: uri, Err: err}
	}
	r.mu.Lock()
	c := r.mu.schemas[canonical]
	if c == nil {
		c = &compiled{}
		r.mu.schemas[canonical] = c
	}
	r.mu.Unlock()
	c.once.Do(func() { c.schema, c.err = r.compile(canonical) })
	if c.err != nil {
		return nil, &SchemaError{URI: uri, Err: c.err}
	}
	return c.schema, nil
}

// compile compiles the schema at canonical with a fresh compiler, so that
// current.yaml and the version it becomes never share a resource.
func (r *Repository) compile(canonical string) (*Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	for _, f := range uriFormats {
		c.RegisterFormat(f)
	}
	c.UseLoader(loader{r})
	root := resourceURL(canonical)
	sch, err := c.Compile(root)
	if err != nil {
		return nil, compileError(root, err)
	}
	t, v, _ := ParseSchemaURI(canonical)
	return &Schema{uri: canonical, title: t, version: v, compiled: sch}, nil
}

// compileError says why the schema at root did not compile: it wraps the
// loader's error when a document could not be loaded, and ErrBadSchema for
// anything but a missing root.
func compileError(root string, err error) error {
	var le *jsonschema.LoadURLError
	if !errors.As(err, &le) {
		return fmt.Errorf("%w: %w", ErrBadSchema, err)
	}
	if le.URL == root {
		return le.Err
	}
	return fmt.Errorf("%w: loading %s: %w", ErrBadSchema, strings.TrimPrefix(le.URL, resourceBase), le.Err)
}

// Document returns the schema at uri as a JSON value, as it is compiled: a
// versioned file as written, a current.yaml materialized (refs inlined,
// allOf merged), without $id. It is for readers that map a schema to
// another type system (a table's columns); each call returns a fresh copy.
// Errors are *SchemaError.
func (r *Repository) Document(uri string) (map[string]any, error) {
	canonical, file, err := r.locate(uri)
	if err != nil {
		return nil, &SchemaError{URI: uri, Err: err}
	}
	doc, err := r.readDoc(file, resourceURL(canonical))
	if err != nil {
		return nil, &SchemaError{URI: uri, Err: err}
	}
	return doc.(map[string]any), nil
}

// Examples returns the examples: array of the schema at uri, each as one
// JSON document. Materialized Wikimedia schemas carry examples that must
// validate against them.
func (r *Repository) Examples(uri string) ([][]byte, error) {
	canonical, file, err := r.locate(uri)
	if err != nil {
		return nil, &SchemaError{URI: uri, Err: err}
	}
	doc, err := r.readDoc(file, resourceURL(canonical))
	if err != nil {
		return nil, &SchemaError{URI: uri, Err: err}
	}
	list, _ := doc.(map[string]any)["examples"].([]any)
	out := make([][]byte, 0, len(list))
	for i, ex := range list {
		b, err := json.Marshal(ex)
		if err != nil {
			return nil, &SchemaError{URI: uri, Err: fmt.Errorf("%w: example %d: %w", ErrBadSchema, i, err)}
		}
		out = append(out, b)
	}
	return out, nil
}
