package diff

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/ripplestream/ripple/event/mediawiki"
	"github.com/ripplestream/ripple/processor/tokens"
	"github.com/ripplestream/ripple/wikitext"
)

// State is what the operator keeps per page: the latest revision seen, its
// text (or, over Config.MaxTextBytes, only its hash) and its dependencies.
type State struct {
	// Wiki and PageID identify the page; a key must hold one page.
	Wiki   string
	PageID int64
	// RevID is the latest revision seen.
	RevID int64
	// Kept says Text holds the revision's text; otherwise only Size and
	// Hash (SHA-256) describe it.
	Kept bool
	Text string
	Size int64
	Hash [sha256.Size]byte
	// DepsKnown says Deps holds the revision's dependencies (they were
	// parsed and at most Config.MaxDeps).
	DepsKnown bool
	Deps      Deps
	// Stale and Duplicate count the revisions ignored for the page.
	Stale, Duplicate int64
}

// Deps are the dependencies of a revision, sorted, as package wikitext
// reads them.
type Deps struct {
	Templates, Links, Files, Categories []string
}

func (d Deps) len() int { return len(d.Templates) + len(d.Links) + len(d.Files) + len(d.Categories) }

// SetDelta is the change of a set: what is new and what is gone, sorted.
type SetDelta struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

// DepsDelta is the change of a page's dependencies.
type DepsDelta struct {
	Templates  SetDelta `json:"templates"`
	Links      SetDelta `json:"links"`
	Files      SetDelta `json:"files"`
	Categories SetDelta `json:"categories"`
}

// Outcome says what Revise did with a revision.
type Outcome string

// Outcomes of Revise.
const (
	Diffed    Outcome = "diffed"    // a new revision: Result is filled
	Baseline  Outcome = "baseline"  // the first revision seen of an existing page: state set, nothing to diff
	Stale     Outcome = "stale"     // older than the state's revision: ignored
	Duplicate Outcome = "duplicate" // the state's revision again: ignored
	Deleted   Outcome = "deleted"   // the page was deleted: drop the state
)

// Result is what Revise found.
type Result struct {
	Outcome   Outcome
	PrevRevID int64
	// Unchanged says the text is the previous revision's (same hash).
	Unchanged bool
	// Chunks is the line diff, nil when unchanged or skipped; Exact is
	// false when a stretch was over Config.MaxEditCost.
	Chunks []Chunk
	Exact  bool
	// Words is the change of the words (package tokens) in the changed
	// lines: those of inserted lines minus those of deleted ones.
	Words tokens.Delta
	// Skipped says why there is no line and word diff, or "".
	Skipped string
	// Deps is the structured delta; DepsSkipped says why it is missing.
	Deps        DepsDelta
	DepsSkipped string
}

// Errors of Revise.
var (
	// ErrKeyMismatch means an event's page is not the page whose state its
	// key holds: the input is not keyed by page.
	ErrKeyMismatch = mediawiki.ErrOtherPage
)

// Differ is the operator's pure core: it turns a page's state and a new
// revision into the next state and the revision's diff. It is safe for
// concurrent use.
type Differ struct{ cfg Config }

// New returns a Differ with cfg's limits.
func New(cfg Config) (*Differ, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Differ{cfg: cfg}, nil
}

// Revise applies change to prev, the page's state (the zero State when the
// page has none). A page's first revision seen is diffed against the empty
// text when the change creates the page, and only sets the state
// (Baseline) otherwise. Older and repeated revisions are ignored and
// counted in the state. Errors wrap ErrBadEvent or ErrKeyMismatch: the
// event can never be used.
func (d *Differ) Revise(prev State, change PageChange) (State, Result, error) {
	order, err := change.Against(prev.Wiki, prev.PageID, prev.RevID)
	if err != nil {
		return prev, Result{}, err
	}
	switch order {
	case mediawiki.Deletion:
		return State{}, Result{Outcome: Deleted}, nil
	case mediawiki.Older:
		prev.Stale++
		return prev, Result{Outcome: Stale, PrevRevID: prev.RevID}, nil
	case mediawiki.Same:
		prev.Duplicate++
		return prev, Result{Outcome: Duplicate, PrevRevID: prev.RevID}, nil
	}
	text, err := change.Text()
	if err != nil {
		return prev, Result{}, err
	}
	next := State{Wiki: change.WikiID, PageID: change.Page.PageID, RevID: change.Revision.RevID,
		Size: int64(len(text)), Hash: sha256.Sum256([]byte(text)), Stale: prev.Stale, Duplicate: prev.Duplicate}
	if len(text) <= d.cfg.MaxTextBytes {
		next.Kept, next.Text = true, text
	}
	deps, depsErr := d.deps(change, text)
	if depsErr == nil {
		next.Deps, next.DepsKnown = deps, true
	}
	if prev.RevID == 0 {
		if change.PageChangeKind != "create" {
			return next, Result{Outcome: Baseline}, nil
		}
		prev = State{Kept: true, Hash: sha256.Sum256(nil), DepsKnown: true}
	}
	res := Result{Outcome: Diffed, PrevRevID: prev.RevID, Exact: true}
	res.Unchanged = prev.Hash == next.Hash && prev.Size == next.Size
	switch {
	case res.Unchanged:
	case !prev.Kept:
		res.Skipped = fmt.Sprintf("the previous text (%d bytes) was over MaxTextBytes (%d): only its hash was kept", prev.Size, d.cfg.MaxTextBytes)
	case len(text) > d.cfg.MaxDiffBytes:
		res.Skipped = fmt.Sprintf("the text (%d bytes) is over MaxDiffBytes (%d)", len(text), d.cfg.MaxDiffBytes)
	default:
		res.Chunks, res.Exact = Lines(prev.Text, text, d.cfg.MaxEditCost)
		res.Words = wordDelta(res.Chunks)
	}
	switch {
	case !prev.DepsKnown:
		res.DepsSkipped = "the previous revision's dependencies were not kept"
	case depsErr != nil:
		res.DepsSkipped = depsErr.Error()
	default:
		res.Deps = DepsDelta{
			Templates:  setDelta(prev.Deps.Templates, deps.Templates),
			Links:      setDelta(prev.Deps.Links, deps.Links),
			Files:      setDelta(prev.Deps.Files, deps.Files),
			Categories: setDelta(prev.Deps.Categories, deps.Categories),
		}
	}
	return next, res, nil
}

// deps parses the dependencies of text. A page title wikitext refuses is
// left out (only self-links and relative links depend on it).
func (d *Differ) deps(change PageChange, text string) (Deps, error) {
	if len(text) > d.cfg.MaxDiffBytes {
		return Deps{}, fmt.Errorf("the text (%d bytes) is over MaxDiffBytes (%d)", len(text), d.cfg.MaxDiffBytes)
	}
	parsed, err := wikitext.Parse(change.WikiID, change.Page.PageTitle, text, d.cfg.Wikitext)
	if errors.Is(err, wikitext.ErrBadTitle) {
		parsed, err = wikitext.Parse(change.WikiID, "", text, d.cfg.Wikitext)
	}
	if err != nil {
		return Deps{}, err
	}
	deps := Deps{Templates: parsed.Templates, Links: parsed.Links, Files: parsed.Files, Categories: parsed.Categories}
	if n := deps.len(); n > d.cfg.MaxDeps {
		return Deps{}, fmt.Errorf("the revision has %d dependencies, more than MaxDeps (%d)", n, d.cfg.MaxDeps)
	}
	return deps, nil
}

// wordDelta returns the words of inserted lines minus those of deleted
// lines.
func wordDelta(chunks []Chunk) tokens.Delta {
	var del, ins strings.Builder
	for _, c := range chunks {
		b := &del
		switch c.Op {
		case Equal:
			continue
		case Insert:
			b = &ins
		}
		for _, l := range c.Lines {
			b.WriteString(l)
		}
	}
	return tokens.Diff(tokens.Count(tokens.Tokenize(del.String(), tokens.DefaultMaxTokenBytes)),
		tokens.Count(tokens.Tokenize(ins.String(), tokens.DefaultMaxTokenBytes)))
}

// setDelta compares two sorted sets.
func setDelta(old, new []string) SetDelta {
	d := SetDelta{Added: []string{}, Removed: []string{}}
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		switch {
		case j == len(new) || i < len(old) && old[i] < new[j]:
			d.Removed = append(d.Removed, old[i])
			i++
		case i == len(old) || new[j] < old[i]:
			d.Added = append(d.Added, new[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return d
}
