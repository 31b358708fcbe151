package event

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
)

// RepoConfigFile is the file in a schema repository's top directory that
// configures Wikimedia's jsonschema-tools; ripple reads the same file, so
// one repository works with both.
const RepoConfigFile = ".jsonschema-tools.yaml"

// RepoConfig is what ripple reads of a schema repository's
// .jsonschema-tools.yaml. Keys it does not know (logLevel, schemaBasePath,
// shouldGenerateExample, ...) are ignored.
type RepoConfig struct {
	// ContentTypes are the files written for each version: yaml, json or
	// both, the first being the one symlinks point to. Default: yaml, json.
	ContentTypes []string
	// SymlinkExtensionless links X.Y.Z to X.Y.Z.<first content type>.
	// Default true.
	SymlinkExtensionless bool
	// SymlinkLatest links latest and latest.<type> to the highest version.
	// Default true.
	SymlinkLatest bool
	// NumericBounds are the minimum and maximum given to every number and
	// integer that has none (jsonschema-tools' enforcedNumericBounds:
	// JavaScript's safe integers by default); nil gives none.
	NumericBounds []json.Number
	// Skip maps a regular expression on a schema's $id to the checks not to
	// run on the schemas it matches (jsonschema-tools' skipSchemaTestCases;
	// see the Check constants for the names).
	Skip map[string][]string
}

// safeInteger is JavaScript's Number.MAX_SAFE_INTEGER, the bound
// jsonschema-tools gives numbers by default.
const safeInteger = "9007199254740991"

// DefaultRepoConfig returns jsonschema-tools' defaults.
func DefaultRepoConfig() RepoConfig {
	return RepoConfig{
		ContentTypes:         []string{"yaml", "json"},
		SymlinkExtensionless: true,
		SymlinkLatest:        true,
		NumericBounds:        []json.Number{"-" + safeInteger, safeInteger},
	}
}

// ReadRepoConfig reads dir/.jsonschema-tools.yaml over the defaults; a
// missing file gives the defaults.
func ReadRepoConfig(dir string) (RepoConfig, error) {
	cfg := DefaultRepoConfig()
	name := filepath.Join(dir, RepoConfigFile)
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("event: schema repository config: %w", err)
	}
	if err := cfg.parse(data); err != nil {
		return cfg, fmt.Errorf("event: schema repository config %s: %w", name, err)
	}
	return cfg, cfg.Validate()
}

// parse lays the keys ripple knows of a config file over cfg.
func (cfg *RepoConfig) parse(data []byte) error {
	doc, err := parseYAML(data)
	if err != nil {
		return err
	}
	if doc == nil {
		return nil
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return errors.New("not a YAML mapping")
	}
	if v, ok := m["contentTypes"]; ok {
		if cfg.ContentTypes, err = stringList(v); err != nil {
			return fmt.Errorf("contentTypes: %w", err)
		}
	}
	for key, dst := range map[string]*bool{"shouldSymlinkExtensionless": &cfg.SymlinkExtensionless, "shouldSymlinkLatest": &cfg.SymlinkLatest} {
		if v, ok := m[key]; ok {
			b, isBool := v.(bool)
			if !isBool {
				return fmt.Errorf("%s: %v is not true or false", key, v)
			}
			*dst = b
		}
	}
	if v, ok := m["enforcedNumericBounds"]; ok {
		if cfg.NumericBounds, err = numericBounds(v); err != nil {
			return err
		}
	}
	if v, ok := m["skipSchemaTestCases"]; ok && v != nil {
		skip, isMap := v.(map[string]any)
		if !isMap {
			return fmt.Errorf("skipSchemaTestCases: want a mapping of $id regular expression to test case names")
		}
		cfg.Skip = map[string][]string{}
		for re, names := range skip {
			if cfg.Skip[re], err = stringList(names); err != nil {
				return fmt.Errorf("skipSchemaTestCases %q: %w", re, err)
			}
		}
	}
	return nil
}

// numericBounds reads enforcedNumericBounds: [min, max], or false/null for none.
func numericBounds(v any) ([]json.Number, error) {
	if v == nil || v == false {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok || len(list) != 2 {
		return nil, fmt.Errorf("enforcedNumericBounds: %v is not [minimum, maximum]", v)
	}
	out := make([]json.Number, 2)
	for i, e := range list {
		if out[i], ok = e.(json.Number); !ok {
			return nil, fmt.Errorf("enforcedNumericBounds: %v is not a number", e)
		}
	}
	return out, nil
}

// Validate checks the config.
func (cfg RepoConfig) Validate() error {
	if len(cfg.ContentTypes) == 0 {
		return errors.New("event: schema repository config: contentTypes is empty; want yaml, json or both")
	}
	for _, t := range cfg.ContentTypes {
		if t != "yaml" && t != "json" {
			return fmt.Errorf("event: schema repository config: contentTypes: %q is neither yaml nor json", t)
		}
	}
	for re := range cfg.Skip {
		if _, err := regexp.Compile(re); err != nil {
			return fmt.Errorf("event: schema repository config: skipSchemaTestCases: %w", err)
		}
	}
	return nil
}

// skipped returns the reason check is not run on the schema with $id id,
// or "" if it is run.
func (cfg RepoConfig) skipped(check, id string) string {
	res := make([]string, 0, len(cfg.Skip))
	for re := range cfg.Skip {
		res = append(res, re)
	}
	slices.Sort(res)
	for _, re := range res {
		// jsonschema-tools matches unanchored, as JavaScript's String.match.
		if regexp.MustCompile(re).MatchString(id) && slices.Contains(cfg.Skip[re], check) {
			return fmt.Sprintf("skipSchemaTestCases %q in %s", re, RepoConfigFile)
		}
	}
	return ""
}

// ownTitles returns the titles that have a file in the repository's own
// (first) tree, sorted.
func (r *Repository) ownTitles() []string {
	var out []string
	for _, name := range r.Titles() {
		t := r.titles[name]
		own := t.current.name != "" && t.current.tree == 0
		for _, f := range t.versions {
			own = own || f.tree == 0
		}
		if own {
			out = append(out, name)
		}
	}
	return out
}
