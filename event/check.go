package event

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The checks CheckRepository runs. Where jsonschema-tools has the same
// test, the name is its test case's, so a repository's skipSchemaTestCases
// skips both.
const (
	// CheckReadable: the file parses and, for current.yaml, materializes.
	CheckReadable = "schema-readable"
	// CheckTitle: title is present and names the schema's directory.
	CheckTitle = "schema-title-matches-path"
	// CheckID: $id is /<title>/<version> of the file's place (or names a
	// trailing part of the title, as jsonschema-tools accepts).
	CheckID = "schema-id-matches-path"
	// CheckSnakeCase: property names are snake_case (jsonschema-tools'
	// pattern, ^[$a-z]+[a-z0-9_]*$).
	CheckSnakeCase = "schema-snake-case-properties"
	// CheckEnvelope: an event schema (any title outside a fragment/
	// directory) has the
	// $schema and meta properties, required from version 1.0.0 on.
	CheckEnvelope = "schema-event-envelope"
	// CheckMaterialized: current.yaml names the latest version and
	// materializes to it.
	CheckMaterialized = "schema-current-materialized"
	// CheckCompatibility: each version of a major version is compatible
	// with the one before it, and current.yaml with the latest.
	CheckCompatibility = "schema-version-compatibility"
)

// Problem is one way a schema repository breaks a convention or a version
// breaks compatibility.
type Problem struct {
	// Title and Version name the schema file: Version is X.Y.Z or current.
	Title   string `json:"title"`
	Version string `json:"version"`
	// Field is the property path the problem is at, such as meta.dt,
	// tags[] (the items of tags) or rev_slots.* (the values of a map); ""
	// for the schema as a whole.
	Field string `json:"field,omitempty"`
	// Check is the check that failed (the Check constants).
	Check string `json:"check"`
	// Message says what is wrong; Fix what to do next.
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// String formats p on one line: schema, field, what is wrong, what to do.
func (p Problem) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "/%s/%s", p.Title, p.Version)
	if p.Field != "" {
		fmt.Fprintf(&b, " field %s", p.Field)
	}
	fmt.Fprintf(&b, ": %s [%s]", p.Message, p.Check)
	if p.Fix != "" {
		fmt.Fprintf(&b, "; %s", p.Fix)
	}
	return b.String()
}

// Skip is a check not run on a schema, and why.
type Skip struct {
	URI    string `json:"uri"`
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

// CheckReport is the outcome of CheckRepository.
type CheckReport struct {
	// Schemas lists the schema files checked, /<title>/<version> (current
	// for current.yaml), sorted.
	Schemas []string `json:"schemas"`
	// Compared lists the version pairs checked for compatibility, such as
	// /error/2.0.0 -> 2.1.0.
	Compared []string `json:"compared"`
	// Problems lists what failed, by title and version.
	Problems []Problem `json:"problems"`
	// Skipped lists the checks the repository's config skipped.
	Skipped []Skip `json:"skipped"`
}

// OK reports whether no check failed.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

// CheckOptions configures CheckRepository.
type CheckOptions struct {
	// Bases are further schema repositories whose schemas $refs may name.
	Bases []string
}

// CheckRepository checks the schema repository in dir as a CI step would:
// every version file and current.yaml against the conventions (title, $id,
// snake_case property names, the event envelope), current.yaml against the
// latest version (materialized, and compatible), and each version against
// the one before it in its major version (see CheckCompatibility). The
// error is for a repository that cannot be read at all; what the checks
// find is in the report.
func CheckRepository(dir string, opts CheckOptions) (*CheckReport, error) {
	cfg, err := ReadRepoConfig(dir)
	if err != nil {
		return nil, err
	}
	r, err := OpenRepository(dir, opts.Bases...)
	if err != nil {
		return nil, err
	}
	c := &checker{r: r, cfg: cfg, report: &CheckReport{Schemas: []string{}, Compared: []string{}, Problems: []Problem{}, Skipped: []Skip{}}}
	for _, title := range r.ownTitles() {
		c.title(title)
	}
	slices.Sort(c.report.Schemas)
	return c.report, nil
}

// checker runs the checks of one repository.
type checker struct {
	r      *Repository
	cfg    RepoConfig
	report *CheckReport
}

// add records a problem unless the repository's config skips its check for
// the schema with $id id.
func (c *checker) add(id string, p Problem) {
	if why := c.cfg.skipped(p.Check, id); why != "" {
		uri := "/" + p.Title + "/" + p.Version
		if !slices.ContainsFunc(c.report.Skipped, func(s Skip) bool { return s.URI == uri && s.Check == p.Check }) {
			c.report.Skipped = append(c.report.Skipped, Skip{URI: uri, Check: p.Check, Reason: why})
		}
		return
	}
	c.report.Problems = append(c.report.Problems, p)
}

// title checks every file of one title.
func (c *checker) title(title string) {
	t := c.r.titles[title]
	docs := map[string]map[string]any{} // version -> parsed file
	var versions []string
	for _, v := range c.r.Versions(title) {
		f := t.versions[v]
		if f.tree != 0 {
			continue
		}
		c.report.Schemas = append(c.report.Schemas, "/"+title+"/"+v)
		doc, err := parseFile(f)
		if err != nil {
			c.add("", Problem{Title: title, Version: v, Check: CheckReadable, Message: err.Error(), Fix: "fix the file's YAML"})
			continue
		}
		docs[v] = doc
		versions = append(versions, v)
		c.conventions(title, v, doc, doc)
	}
	c.compatibility(title, versions, docs)
	if t.current.name != "" && t.current.tree == 0 {
		c.current(title, versions, docs)
	}
}

// conventions checks one schema file: raw as written, materialized as
// materialized (the same for a version file).
func (c *checker) conventions(title, version string, raw, materialized map[string]any) {
	id, _ := raw["$id"].(string)
	p := Problem{Title: title, Version: version}
	if got, _ := raw["title"].(string); got != title {
		p.Check, p.Message = CheckTitle, fmt.Sprintf("title is %q, want %q (the schema's directory)", got, title)
		if got == "" {
			p.Message = "no title"
		}
		p.Fix = fmt.Sprintf("set title: %s", title)
		c.add(id, p)
	}
	wantID := "/" + title + "/" + version
	switch idTitle, idVersion, err := ParseSchemaURI(id); {
	case err == nil && idNamesTitle(idTitle, title) && (idVersion == version || version == VersionCurrent && isSemver(idVersion)):
	case version == VersionCurrent:
		p.Check, p.Message, p.Fix = CheckID, fmt.Sprintf("$id is %q, want /%s/X.Y.Z (the version it will become)", id, title),
			fmt.Sprintf("set $id: /%s/<next version>", title)
		c.add(id, p)
	default:
		p.Check, p.Message, p.Fix = CheckID, fmt.Sprintf("$id is %q, want %q (the file's place)", id, wantID),
			fmt.Sprintf("set $id: %s, or move the file to where its $id says", wantID)
		c.add(id, p)
	}
	for _, field := range nonSnakeCase(raw, "") {
		p.Field, p.Check = field, CheckSnakeCase
		p.Message = "property name is not snake_case"
		p.Fix = "name it in lower case with underscores (^[$a-z]+[a-z0-9_]*$); for a released field, add the new name and deprecate the old one in its description"
		c.add(id, p)
	}
	p.Field = ""
	if materialized != nil && !isFragment(title) {
		c.envelope(id, p, materialized)
	}
}

// isFragment reports whether title is a fragment (a part other schemas
// $ref), not an event schema: it lies under a fragment/ directory, such
// as fragment/common or development/fragment/mediawiki/state/entity/page.
func isFragment(title string) bool {
	return strings.HasPrefix(title, "fragment/") || strings.Contains(title, "/fragment/")
}

// snakeCase is jsonschema-tools' pattern for property names.
var snakeCase = regexp.MustCompile(`^[$a-z]+[a-z0-9_]*$`)

// nonSnakeCase returns the paths of the property names in schema s that are
// not snake_case, looking through every keyword that holds subschemas.
func nonSnakeCase(s any, at string) []string {
	obj, ok := s.(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	if props, ok := obj["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			field := joinField(at, name)
			if !snakeCase.MatchString(name) {
				out = append(out, field)
			}
			out = append(out, nonSnakeCase(props[name], field)...)
		}
	}
	for _, k := range []string{"additionalProperties", "not", "if", "then", "else", "contains", "additionalItems"} {
		out = append(out, nonSnakeCase(obj[k], subField(at, k))...)
	}
	for _, k := range []string{"items", "allOf", "anyOf", "oneOf"} {
		switch v := obj[k].(type) {
		case []any:
			for _, e := range v {
				out = append(out, nonSnakeCase(e, subField(at, k))...)
			}
		default:
			out = append(out, nonSnakeCase(v, subField(at, k))...)
		}
	}
	for _, k := range []string{"definitions", "$defs", "patternProperties"} {
		if m, ok := obj[k].(map[string]any); ok {
			for _, name := range sortedKeys(m) {
				out = append(out, nonSnakeCase(m[name], at)...)
			}
		}
	}
	return out
}

// joinField appends a property name to a field path.
func joinField(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

// subField names the subschema under keyword k of the field at: items as
// at[], a map's values as at.*; the others keep at.
func subField(at, k string) string {
	switch k {
	case "items", "additionalItems", "contains":
		return at + "[]"
	case "additionalProperties":
		return joinField(at, "*")
	}
	return at
}

// envelope checks that an event schema has the envelope fields.
func (c *checker) envelope(id string, p Problem, s map[string]any) {
	p.Check = CheckEnvelope
	props, _ := s["properties"].(map[string]any)
	required, _ := stringList(s["required"])
	major := 1
	if _, v, err := ParseSchemaURI(id); err == nil {
		if sv, ok := parseSemver(v); ok {
			major = sv[0]
		}
	}
	for _, field := range []string{"$schema", "meta"} {
		p.Field = field
		switch {
		case props[field] == nil:
			p.Message = "an event schema has no " + field + " property"
			p.Fix = "add the common envelope: allOf: [{$ref: /fragment/common/2.0.0#}] (or a fragment that includes it), with " + field + " in required"
			c.add(id, p)
		case major >= 1 && !slices.Contains(required, field):
			p.Message = field + " is not required"
			p.Fix = "add " + field + " to required (every event carries it; only 0.x versions may leave it out)"
			c.add(id, p)
		}
	}
}

// current checks title's current.yaml: conventions, materialized as the
// latest version, compatible with it.
func (c *checker) current(title string, versions []string, docs map[string]map[string]any) {
	c.report.Schemas = append(c.report.Schemas, "/"+title+"/"+VersionCurrent)
	p := Problem{Title: title, Version: VersionCurrent}
	raw, err := parseFile(c.r.titles[title].current)
	if err != nil {
		p.Check, p.Message, p.Fix = CheckReadable, err.Error(), "fix the file's YAML"
		c.add("", p)
		return
	}
	id, _ := raw["$id"].(string)
	version, mat, err := c.r.Materialize(title, c.cfg.NumericBounds)
	if err != nil {
		c.conventions(title, VersionCurrent, raw, nil)
		p.Check, p.Message = CheckReadable, "does not materialize: "+strings.ReplaceAll(err.Error(), "event: ", "")
		p.Fix = "fix its $refs (a $ref names /<title>/<version> of this repository or of one given with --base-repo) and allOf"
		c.add(id, p)
		return
	}
	c.conventions(title, VersionCurrent, raw, mat)
	latest := ""
	if len(versions) > 0 {
		latest = versions[len(versions)-1]
	}
	p.Check = CheckMaterialized
	switch {
	case latest == "" || compareSemver(version, latest) > 0:
		p.Message = fmt.Sprintf("current.yaml ($id version %s) is not materialized", version)
		p.Fix = "run `ripple schema materialize` on the repository and commit " + version + ".yaml"
		c.add(id, p)
	case compareSemver(version, latest) < 0:
		p.Message = fmt.Sprintf("current.yaml's $id names %s, older than the latest version %s", version, latest)
		p.Fix = fmt.Sprintf("set $id to /%s/<a version above %s> and materialize it", title, latest)
		c.add(id, p)
	case !sameMaterialized(docs[latest], mat):
		p.Message = fmt.Sprintf("current.yaml materializes to something other than %s.yaml, which is released (first at %s)",
			latest, firstDifference(docs[latest], mat, ""))
		p.Fix = fmt.Sprintf("bump the version in its $id above %s and run `ripple schema materialize`", latest)
		c.add(id, p)
	}
	if latest != "" && compareSemver(version, latest) > 0 && sameMajor(version, latest) {
		c.compare(title, latest, VersionCurrent, docs[latest], mat, id)
	}
}

// compatibility checks each version against the one before it within a
// major version, as jsonschema-tools does: a new major version is how a
// schema breaks compatibility.
func (c *checker) compatibility(title string, versions []string, docs map[string]map[string]any) {
	for i := 1; i < len(versions); i++ {
		old, cur := versions[i-1], versions[i]
		if !sameMajor(old, cur) {
			continue
		}
		id, _ := docs[cur]["$id"].(string)
		c.compare(title, old, cur, docs[old], docs[cur], id)
	}
}

// compare checks that version cur (whose $id is id) is compatible with old.
func (c *checker) compare(title, old, cur string, oldDoc, curDoc map[string]any, id string) {
	c.report.Compared = append(c.report.Compared, fmt.Sprintf("/%s/%s -> %s", title, old, cur))
	for _, d := range incompatibilities(oldDoc, curDoc, "", c.cfg.NumericBounds) {
		c.add(id, Problem{Title: title, Version: cur, Field: d.field, Check: CheckCompatibility,
			Message: d.message + " since " + old, Fix: d.fix(old)})
	}
}

// sameMajor reports whether two versions share their major version.
func sameMajor(a, b string) bool {
	va, _ := parseSemver(a)
	vb, _ := parseSemver(b)
	return va[0] == vb[0]
}

// firstDifference describes the first place, in key order, where the
// version file a and the materialized current.yaml b differ.
func firstDifference(a, b any, at string) string {
	am, ok1 := a.(map[string]any)
	bm, ok2 := b.(map[string]any)
	if !ok1 || !ok2 {
		return fmt.Sprintf("%s: %s in the file, %s materialized", pointer(at), short(a), short(b))
	}
	keys := sortedKeys(am)
	for _, k := range sortedKeys(bm) {
		if _, ok := am[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		av, inA := am[k]
		bv, inB := bm[k]
		switch {
		case k == "examples" && !inB:
		case !inA:
			return fmt.Sprintf("%s: not in the file, %s materialized", pointer(at+"/"+k), short(bv))
		case !inB:
			return fmt.Sprintf("%s: %s in the file, not materialized", pointer(at+"/"+k), short(av))
		case !sameJSON(av, bv):
			return firstDifference(av, bv, at+"/"+k)
		}
	}
	return pointer(at)
}

// pointer returns a JSON pointer, / for the root.
func pointer(at string) string {
	if at == "" {
		return "/"
	}
	return at
}
