package tokens

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/ripplestream/ripple/event/mediawiki"
	"github.com/ripplestream/ripple/internal/binread"
)

// State is what the operator keeps per page: the identity and token counts
// of the latest revision seen.
type State struct {
	// Wiki and PageID identify the page; a key must hold one page.
	Wiki   string
	PageID int64
	// RevID is the latest revision seen; Counts are its token counts.
	RevID  int64
	Counts Counts
	// Truncated says Counts holds only the Config.MaxStateTokens most
	// frequent tokens of revision RevID.
	Truncated bool
	// Ignored counts the stale and repeated revisions ignored for the page.
	Ignored int64
}

// Errors of Revise besides ErrBadEvent.
var (
	// ErrTooLarge means a revision text is longer than Config.MaxTextBytes.
	ErrTooLarge = errors.New("tokens: revision text too large")
	// ErrKeyMismatch means an event's page is not the page whose state its
	// key holds: the input is not keyed by page.
	ErrKeyMismatch = mediawiki.ErrOtherPage
)

// Outcome says what Revise did with a revision.
type Outcome string

// Outcomes of Revise.
const (
	Tokenized Outcome = "tokenized" // a new revision: Result is filled
	Stale     Outcome = "stale"     // older than the state's revision: ignored
	Duplicate Outcome = "duplicate" // the state's revision again: ignored
	Deleted   Outcome = "deleted"   // the page was deleted: drop the state
)

// Result is what Revise found in a new revision.
type Result struct {
	Outcome Outcome
	// PrevRevID is the revision Delta is relative to; 0 for the first.
	PrevRevID int64
	// Tokens are the revision's tokens in order, at most
	// Config.MaxOutputTokens of them; TokenCount is how many there are.
	Tokens     []string
	TokenCount int
	// Delta is the change of the token multiset since PrevRevID.
	Delta Delta
	// Approximate says the previous counts were truncated, so tokens
	// outside them may be reported as added when they only kept their
	// count.
	Approximate bool
}

// Tokenizer is the operator's pure core: it turns a page's state and a new
// revision into the next state and the revision's tokens and delta. It is
// safe for concurrent use.
type Tokenizer struct{ cfg Config }

// New returns a Tokenizer with cfg's limits.
func New(cfg Config) (*Tokenizer, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Tokenizer{cfg: cfg}, nil
}

// Revise applies change to prev, the page's state (the zero State when the
// page has none), and returns the next state and what changed. Stale and
// repeated revisions leave the counts alone and count in State.Ignored;
// a deletion returns the zero State with Outcome Deleted. Errors wrap
// ErrBadEvent, ErrTooLarge or ErrKeyMismatch: the event can never be used.
func (t *Tokenizer) Revise(prev State, change PageChange) (State, Result, error) {
	order, err := change.Against(prev.Wiki, prev.PageID, prev.RevID)
	if err != nil {
		return prev, Result{}, err
	}
	switch order {
	case mediawiki.Deletion:
		return State{}, Result{Outcome: Deleted}, nil
	case mediawiki.Older:
		prev.Ignored++
		return prev, Result{Outcome: Stale, PrevRevID: prev.RevID}, nil
	case mediawiki.Same:
		prev.Ignored++
		return prev, Result{Outcome: Duplicate, PrevRevID: prev.RevID}, nil
	}
	text, err := change.Text()
	if err != nil {
		return prev, Result{}, err
	}
	if len(text) > t.cfg.MaxTextBytes {
		return prev, Result{}, fmt.Errorf("%w: %s page %d revision %d has %d bytes of text, more than MaxTextBytes (%d)",
			ErrTooLarge, change.WikiID, change.Page.PageID, change.Revision.RevID, len(text), t.cfg.MaxTextBytes)
	}
	toks := Tokenize(text, t.cfg.MaxTokenBytes)
	counts := Count(toks)
	res := Result{
		Outcome:     Tokenized,
		PrevRevID:   prev.RevID,
		Tokens:      toks[:min(len(toks), t.cfg.MaxOutputTokens)],
		TokenCount:  len(toks),
		Delta:       Diff(prev.Counts, counts),
		Approximate: prev.Truncated,
	}
	next := State{Wiki: change.WikiID, PageID: change.Page.PageID, RevID: change.Revision.RevID,
		Counts: counts, Ignored: prev.Ignored}
	if len(counts) > t.cfg.MaxStateTokens {
		kept := make(Counts, t.cfg.MaxStateTokens)
		for _, tok := range counts.Top(t.cfg.MaxStateTokens) {
			kept[tok] = counts[tok]
		}
		next.Counts, next.Truncated = kept, true
	}
	return next, res, nil
}

// StateCodec encodes State compactly: a version byte, then varints and
// length-prefixed strings, tokens sorted. The zero value is ready to use.
type StateCodec struct{}

const stateVersion = 1

// Encode returns the bytes of s.
func (StateCodec) Encode(s State) ([]byte, error) {
	b := make([]byte, 0, 32+len(s.Wiki)+12*len(s.Counts))
	b = append(b, stateVersion)
	b = binread.AppendString(b, s.Wiki)
	b = binary.AppendVarint(b, s.PageID)
	b = binary.AppendVarint(b, s.RevID)
	b = binary.AppendVarint(b, s.Ignored)
	b = append(b, boolByte(s.Truncated))
	b = binary.AppendUvarint(b, uint64(len(s.Counts)))
	for _, tok := range slices.Sorted(maps.Keys(s.Counts)) {
		b = binread.AppendString(b, tok)
		b = binary.AppendUvarint(b, uint64(s.Counts[tok]))
	}
	return b, nil
}

// Decode returns the State in b.
func (StateCodec) Decode(b []byte) (State, error) {
	d := newDecoder(b)
	if v := d.Byte(); v != stateVersion {
		return State{}, fmt.Errorf("tokens: state version %d, want %d", v, stateVersion)
	}
	s := State{Wiki: d.String(), PageID: d.Varint(), RevID: d.Varint(), Ignored: d.Varint(), Truncated: d.Byte() == 1}
	n := d.Uvarint()
	if n > uint64(d.Remaining()) { // every entry takes at least one byte
		return State{}, fmt.Errorf("tokens: state claims %d tokens in %d bytes", n, len(b))
	}
	s.Counts = make(Counts, n)
	for range n {
		tok := d.String()
		s.Counts[tok] = int(d.Uvarint())
	}
	if d.Err() != nil {
		return State{}, fmt.Errorf("tokens: state: %w", d.Err())
	}
	return s, nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

var errShort = errors.New("truncated")

// newDecoder reads what Encode wrote, remembering the first error; every
// failure is errShort.
func newDecoder(b []byte) binread.Reader {
	return binread.New(b, 0, func(string, int, int) error { return errShort })
}
