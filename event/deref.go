package event

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// maxRefDepth bounds nested $ref expansion in a current.yaml; deeper means a
// cycle.
const maxRefDepth = 32

// dereferencer inlines JSON references the way Wikimedia's jsonschema-tools
// does before it materializes a current.yaml: every {$ref: X} object,
// wherever it stands (even as the value of properties or required, or inside
// examples), is replaced by the value X points to, with any sibling keys laid
// over it. Schema-aware $ref resolution cannot do this, because such refs
// stand where no schema is expected.
type dereferencer struct {
	r    *Repository
	docs map[string]any // raw documents by resource URL
}

// deref returns v (a value of the document at docURL) with refs inlined.
func (d *dereferencer) deref(v any, docURL string, depth int) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			return d.inline(v, ref, docURL, depth)
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			x, err := d.deref(e, docURL, depth)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			x, err := d.deref(e, docURL, depth)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return v, nil
}

// inline replaces the ref object obj with what ref points to.
func (d *dereferencer) inline(obj map[string]any, ref, docURL string, depth int) (any, error) {
	if depth >= maxRefDepth {
		return nil, fmt.Errorf("%w: $ref %q nests more than %d deep (a cycle?)", ErrBadSchema, ref, maxRefDepth)
	}
	target, pointer, err := resolveRef(docURL, ref)
	if err != nil {
		return nil, err
	}
	doc, err := d.doc(target)
	if err != nil {
		return nil, err
	}
	val, err := FollowPointer(doc, pointer)
	if err != nil {
		return nil, fmt.Errorf("%w: $ref %q: %w", ErrBadSchema, ref, err)
	}
	val, err = d.deref(val, target, depth+1)
	if err != nil {
		return nil, err
	}
	if len(obj) == 1 {
		return val, nil
	}
	base, ok := val.(map[string]any)
	if !ok {
		return val, nil
	}
	for k, e := range obj {
		if k == "$ref" {
			continue
		}
		x, err := d.deref(e, docURL, depth)
		if err != nil {
			return nil, err
		}
		base[k] = x
	}
	return base, nil
}

// doc returns the raw (not dereferenced) document at a resource URL.
func (d *dereferencer) doc(resource string) (any, error) {
	if doc, ok := d.docs[resource]; ok {
		return doc, nil
	}
	file, err := loader{d.r}.file(resource)
	if err != nil {
		return nil, err
	}
	doc, err := parseFile(file)
	if err != nil {
		return nil, err
	}
	d.docs[resource] = doc
	return doc, nil
}

// resolveRef resolves ref against docURL into a resource URL and a JSON
// pointer.
func resolveRef(docURL, ref string) (resource, pointer string, err error) {
	base, err := url.Parse(docURL)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s: %w", ErrBadSchema, docURL, err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", "", fmt.Errorf("%w: $ref %q: %w", ErrBadSchema, ref, err)
	}
	u := base.ResolveReference(r)
	pointer = u.Fragment
	u.Fragment, u.RawFragment = "", ""
	return u.String(), pointer, nil
}

// FollowPointer returns the value at a JSON pointer (RFC 6901) in doc, a
// decoded JSON value (maps, slices, scalars); "" is doc itself.
func FollowPointer(doc any, pointer string) (any, error) {
	if pointer == "" {
		return doc, nil
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil, fmt.Errorf("fragment %q is not a JSON pointer", pointer)
	}
	cur := doc
	for tok := range strings.SplitSeq(pointer[1:], "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("no %q at %s", tok, pointer)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("no index %q at %s", tok, pointer)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("no %q at %s", tok, pointer)
		}
	}
	return cur, nil
}
