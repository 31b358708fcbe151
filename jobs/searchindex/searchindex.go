package searchindex

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/tokens"
)

// Schema is the $schema of the documents the job emits.
const Schema = "/ripple/search/index_update/1.0.0"

// Defaults of Config.Validate.
const (
	// DefaultWait is the default Config.Wait: scores come from a model
	// service seconds after the revision.
	DefaultWait = 30 * time.Second
	// MaxEarly is how many revisions of a page the job keeps scores or
	// tokens for before the revisions themselves arrive; older ones are
	// dropped first.
	MaxEarly = 8
)

// Document operations.
const (
	OpIndex  = "index"  // the revision's document, complete or not
	OpUpdate = "update" // a part that arrived after its revision was sent
)

// Parts a document may lack.
const (
	PartScores = "scores"
	PartTokens = "tokens"
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate.
var ErrInvalidConfig = configerr.New("searchindex")

// Config configures the job.
type Config struct {
	// Name is the job's consumer group. Required.
	Name processor.Group
	// Revisions, Scores and Output are required; Tokens is optional (no
	// token delta then).
	Revisions, Scores, Tokens, Output processor.Stream
	// Wait is how long a revision waits for its scores and tokens before
	// its document is sent without them. Default DefaultWait.
	Wait time.Duration
}

// WithDefaults returns c with its unset fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.Wait == 0 {
		c.Wait = DefaultWait
	}
	return c
}

// Validate reports a configuration that cannot work; it changes nothing.
func (c Config) Validate() error {
	if c.Name == "" || c.Revisions == "" || c.Scores == "" || c.Output == "" {
		return fmt.Errorf("%w: Name %q, Revisions %q, Scores %q and Output %q are all required",
			ErrInvalidConfig, c.Name, c.Revisions, c.Scores, c.Output)
	}
	if c.Wait < 0 {
		return fmt.Errorf("%w: job %s: Wait %v is negative", ErrInvalidConfig, c.Name, c.Wait)
	}
	return nil
}

// PageKey is the key of a page's documents and state: "<wiki>:<page_id>".
// Producers that key the three streams so spare the loop topic.
func PageKey(wiki string, pageID int64) string { return wiki + ":" + strconv.FormatInt(pageID, 10) }

// Score is one model's score of a revision, as mediawiki.revision-score
// carries it.
type Score struct {
	ModelName    string             `json:"model_name,omitempty"`
	ModelVersion string             `json:"model_version,omitempty"`
	Prediction   []string           `json:"prediction,omitempty"`
	Probability  map[string]float64 `json:"probability,omitempty"`
}

// Document is an index update.
type Document struct {
	event.Envelope
	Op           string           `json:"op"`
	WikiID       string           `json:"wiki_id"`
	PageID       int64            `json:"page_id"`
	PageTitle    string           `json:"page_title,omitempty"`
	Namespace    *int             `json:"page_namespace,omitempty"`
	RevID        int64            `json:"rev_id"`
	RevTimestamp string           `json:"rev_timestamp,omitempty"`
	Scores       map[string]Score `json:"scores,omitempty"`
	TokensAdded  tokens.Counts    `json:"tokens_added,omitempty"`
	TokensRemove tokens.Counts    `json:"tokens_removed,omitempty"`
	// Pending lists what an "index" document still lacks.
	Pending []string `json:"pending,omitempty"`
}

// part is what one input event contributes to a page's document.
type part struct {
	Kind   string `json:"kind"` // "revision", PartScores or PartTokens
	Wiki   string `json:"wiki"`
	PageID int64  `json:"page_id"`
	RevID  int64  `json:"rev_id"`
	// revision
	Title        string `json:"title,omitempty"`
	Namespace    *int   `json:"namespace,omitempty"`
	RevTimestamp string `json:"rev_timestamp,omitempty"`
	Domain       string `json:"domain,omitempty"`
	URI          string `json:"uri,omitempty"`
	// scores
	Scores map[string]Score `json:"scores,omitempty"`
	// tokens
	Added   tokens.Counts `json:"added,omitempty"`
	Removed tokens.Counts `json:"removed,omitempty"`
	Stream  string        `json:"stream,omitempty"`
}

// State is a page's: the revision waiting for its parts, the newest
// revision sent, and parts of revisions not arrived yet.
type State struct {
	Waiting *Document `json:"waiting,omitempty"`
	Sent    int64     `json:"sent,omitempty"`
	Early   []part    `json:"early,omitempty"`
}

// revisionEvent and scoreEvent hold the fields of mediawiki.revision-create
// (2.0.0) and mediawiki.revision-score (3.0.0) the job reads.
type revisionEvent struct {
	event.Envelope
	Database     string `json:"database"`
	PageID       int64  `json:"page_id"`
	PageTitle    string `json:"page_title"`
	Namespace    *int   `json:"page_namespace"`
	RevID        int64  `json:"rev_id"`
	RevTimestamp string `json:"rev_timestamp"`
}

func (e revisionEvent) check(stream processor.Stream) error {
	if e.Database == "" || e.PageID <= 0 || e.RevID <= 0 {
		return processor.Permanent(fmt.Errorf("searchindex: not a revision event of %s: no database, page_id or rev_id", stream))
	}
	return nil
}

// Job returns the job of cfg.
func Job(cfg Config) (processor.Job[State], error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return processor.Job[State]{}, err
	}
	out := processor.NewOutput(cfg.Output, event.JSON[Document]{})
	j := &joiner{cfg: cfg, out: out}
	inputs := []processor.Input[State]{
		processor.On(cfg.Revisions, event.Raw{}, j.read(func(raw []byte) (part, error) {
			var e revisionEvent
			if err := json.Unmarshal(raw, &e); err != nil {
				return part{}, processor.Permanent(fmt.Errorf("searchindex: %s: %w", cfg.Revisions, err))
			}
			return part{Kind: "revision", Wiki: e.Database, PageID: e.PageID, RevID: e.RevID, Title: e.PageTitle,
				Namespace: e.Namespace, RevTimestamp: e.RevTimestamp, Domain: e.Meta.Domain, URI: e.Meta.URI}, e.check(cfg.Revisions)
		})),
		processor.On(cfg.Scores, event.Raw{}, j.read(func(raw []byte) (part, error) {
			var e struct {
				revisionEvent
				Scores map[string]Score `json:"scores"`
			}
			if err := json.Unmarshal(raw, &e); err != nil {
				return part{}, processor.Permanent(fmt.Errorf("searchindex: %s: %w", cfg.Scores, err))
			}
			if len(e.Scores) == 0 {
				return part{}, processor.Permanent(fmt.Errorf("searchindex: not a revision score event of %s: no scores", cfg.Scores))
			}
			return part{Kind: PartScores, Wiki: e.Database, PageID: e.PageID, RevID: e.RevID, Scores: e.Scores}, e.check(cfg.Scores)
		})),
	}
	if cfg.Tokens != "" {
		inputs = append(inputs, processor.On(cfg.Tokens, event.Raw{}, j.read(func(raw []byte) (part, error) {
			var e tokens.Event
			if err := json.Unmarshal(raw, &e); err != nil {
				return part{}, processor.Permanent(fmt.Errorf("searchindex: %s: %w", cfg.Tokens, err))
			}
			if e.WikiID == "" || e.PageID <= 0 || e.RevID <= 0 {
				return part{}, processor.Permanent(fmt.Errorf("searchindex: not a tokens event of %s: no wiki_id, page_id or rev_id", cfg.Tokens))
			}
			return part{Kind: PartTokens, Wiki: e.WikiID, PageID: e.PageID, RevID: e.RevID, Added: e.Added, Removed: e.Removed}, nil
		})))
	}
	return processor.Job[State]{
		Name:    cfg.Name,
		State:   event.JSON[State]{},
		Inputs:  inputs,
		Outputs: []processor.Declared{out},
		Loop:    processor.OnLoop(event.JSON[part]{}, func(c *processor.Context[State], _ string, p part) error { return j.apply(c, p) }),
		Timer: processor.OnTimer(event.JSON[int64]{}, func(c *processor.Context[State], _ string, rev int64) error {
			return j.due(c, rev)
		}),
	}, nil
}

// joiner holds the job's handlers.
type joiner struct {
	cfg Config
	out processor.Output[Document]
}

// read returns the handler of an input: it reads the event's part and
// applies it under the page's key, by the loop topic if the event came
// under another.
func (j *joiner) read(decode func([]byte) (part, error)) processor.Handler[State, []byte] {
	return func(c *processor.Context[State], key string, raw []byte) error {
		p, err := decode(raw)
		if err != nil {
			return err
		}
		if k := PageKey(p.Wiki, p.PageID); k != key {
			v, err := json.Marshal(p)
			if err != nil {
				return processor.Permanent(err)
			}
			return c.Loopback(k, v)
		}
		return j.apply(c, p)
	}
}

// apply adds p to its page's state and sends what is due.
func (j *joiner) apply(c *processor.Context[State], p part) error {
	st, _, err := c.State()
	if err != nil {
		return err
	}
	if p.RevID <= st.Sent && !(p.RevID == st.Sent && p.Kind != "revision") {
		return nil // stale: a newer revision is indexed
	}
	switch {
	case p.Kind == "revision":
		if st.Waiting != nil && st.Waiting.RevID == p.RevID {
			return nil // a redelivered copy
		}
		if st.Waiting != nil && st.Waiting.RevID < p.RevID {
			if err := j.send(c, &st); err != nil { // the older one first
				return err
			}
		} else if st.Waiting != nil {
			return nil // older than the one waiting: stale
		}
		d := j.document(c, p)
		for _, e := range st.Early {
			if e.RevID == p.RevID {
				attach(d, e)
			}
		}
		st.Early = slices.DeleteFunc(st.Early, func(e part) bool { return e.RevID <= p.RevID })
		st.Waiting = d
		if len(d.Pending) == 0 {
			if err := j.send(c, &st); err != nil {
				return err
			}
		} else if err := c.After(j.cfg.Wait, c.Key(), strconv.AppendInt(nil, p.RevID, 10)); err != nil {
			return err
		}
	case st.Waiting != nil && st.Waiting.RevID == p.RevID:
		attach(st.Waiting, p)
		if len(st.Waiting.Pending) == 0 {
			if err := j.send(c, &st); err != nil {
				return err
			}
		}
	case st.Waiting != nil && p.RevID < st.Waiting.RevID:
		return nil // stale: a newer revision is on its way to the index
	case p.RevID == st.Sent: // after its revision was sent without it
		d := &Document{Envelope: event.New(Schema, string(j.cfg.Output), c.Now()), Op: OpUpdate, WikiID: p.Wiki, PageID: p.PageID, RevID: p.RevID}
		attach(d, p)
		d.Pending = nil
		if err := j.out.Emit(c, c.Key(), *d); err != nil {
			return err
		}
	default: // before its revision
		st.Early = append(st.Early, p)
		if len(st.Early) > MaxEarly {
			st.Early = st.Early[len(st.Early)-MaxEarly:]
		}
	}
	return c.SetState(st)
}

// due sends the revision rev of the page if it still waits.
func (j *joiner) due(c *processor.Context[State], rev int64) error {
	st, _, err := c.State()
	if err != nil {
		return err
	}
	if st.Waiting == nil || st.Waiting.RevID != rev {
		return nil
	}
	if err := j.send(c, &st); err != nil {
		return err
	}
	return c.SetState(st)
}

// send emits the waiting document and marks its revision sent.
func (j *joiner) send(c *processor.Context[State], st *State) error {
	d := st.Waiting
	d.Meta.DT = c.Now()
	if err := j.out.Emit(c, c.Key(), *d); err != nil {
		return err
	}
	st.Sent, st.Waiting = d.RevID, nil
	return nil
}

// document returns a revision's document, pending everything it joins.
func (j *joiner) document(c *processor.Context[State], p part) *Document {
	env := event.New(Schema, string(j.cfg.Output), c.Now())
	env.Meta.Domain, env.Meta.URI = p.Domain, p.URI
	d := &Document{Envelope: env, Op: OpIndex, WikiID: p.Wiki, PageID: p.PageID, PageTitle: p.Title, Namespace: p.Namespace,
		RevID: p.RevID, RevTimestamp: p.RevTimestamp, Pending: []string{PartScores}}
	if j.cfg.Tokens != "" {
		d.Pending = append(d.Pending, PartTokens)
	}
	return d
}

// attach adds a scores or tokens part to d.
func attach(d *Document, p part) {
	switch p.Kind {
	case PartScores:
		d.Scores = p.Scores
	case PartTokens:
		d.TokensAdded, d.TokensRemove = p.Added, p.Removed
	}
	d.Pending = slices.DeleteFunc(d.Pending, func(s string) bool { return s == p.Kind })
}
