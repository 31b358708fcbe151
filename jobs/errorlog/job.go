package errorlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/processor/ratelimit"
)

// Defaults of Config.Validate.
const (
	// DefaultDedupeTTL is the default Config.DedupeTTL: redeliveries come
	// within seconds to minutes of the first copy.
	DefaultDedupeTTL = 10 * time.Minute
	// DefaultMaxIDs is the default Config.MaxIDs. A fingerprint is one
	// Kafka key of the dedupe stage, and its state holds this many ids at
	// most, so a flood of one error costs a bounded state write per event.
	DefaultMaxIDs = 256
	// DefaultSampleEvery is the default Config.SampleEvery.
	DefaultSampleEvery = 100
)

// DefaultLimit is the default Config.Limit: ten errors a minute per
// fingerprint.
var DefaultLimit = ratelimit.Limit{Rate: 10, Per: time.Minute, Burst: 10}

// ErrInvalidConfig is wrapped by the errors of Config.Validate.
var ErrInvalidConfig = configerr.New("errorlog")

// Config configures the three jobs.
type Config struct {
	// Name prefixes the jobs' consumer groups (<Name>-fingerprint,
	// <Name>-dedupe, <Name>-ratelimit) and the streams between them
	// (<Name>.fingerprinted, <Name>.deduped). Required.
	Name processor.Group
	// Input is the stream of client error events. Required.
	Input processor.Stream
	// Output receives the events that pass, keyed by fingerprint and with
	// a "fingerprint" field. Required.
	Output processor.Stream
	// Summaries receives, per fingerprint, how many events were held back
	// and since when (ratelimit.SummaryEvent). Required.
	Summaries processor.Stream
	// Limit is the rate each fingerprint is held to. Default DefaultLimit.
	Limit ratelimit.Limit
	// SampleEvery: every Nth event over the limit passes all the same.
	// Default DefaultSampleEvery.
	SampleEvery int
	// SummaryInterval is the shortest time a summary covers. Default
	// ratelimit.DefaultSummaryInterval.
	SummaryInterval time.Duration
	// DedupeTTL is how long an event id is remembered. Default
	// DefaultDedupeTTL.
	DedupeTTL time.Duration
	// MaxIDs bounds the ids remembered per fingerprint. Default
	// DefaultMaxIDs.
	MaxIDs int
}

// Validate reports a configuration that cannot work; it changes nothing.
// The jobs' own configurations check the limits, window and sizes.
func (c Config) Validate() error {
	if c.Name == "" || c.Input == "" || c.Output == "" || c.Summaries == "" {
		return fmt.Errorf("%w: Name %q, Input %q, Output %q and Summaries %q are all required",
			ErrInvalidConfig, c.Name, c.Input, c.Output, c.Summaries)
	}
	if c.SampleEvery < 0 || c.DedupeTTL < 0 || c.MaxIDs < 0 || c.SummaryInterval < 0 {
		return fmt.Errorf("%w: %s: SampleEvery %d, DedupeTTL %v, MaxIDs %d and SummaryInterval %v must not be negative",
			ErrInvalidConfig, c.Name, c.SampleEvery, c.DedupeTTL, c.MaxIDs, c.SummaryInterval)
	}
	return nil
}

// WithDefaults returns c with its unset fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.Limit == (ratelimit.Limit{}) {
		c.Limit = DefaultLimit
	}
	if c.SampleEvery == 0 {
		c.SampleEvery = DefaultSampleEvery
	}
	if c.DedupeTTL == 0 {
		c.DedupeTTL = DefaultDedupeTTL
	}
	if c.MaxIDs == 0 {
		c.MaxIDs = DefaultMaxIDs
	}
	return c
}

// Fingerprinted is the stream between the fingerprint and dedupe jobs.
func (c Config) Fingerprinted() processor.Stream {
	return processor.Stream(string(c.Name) + ".fingerprinted")
}

// Deduped is the stream between the dedupe and ratelimit jobs.
func (c Config) Deduped() processor.Stream { return processor.Stream(string(c.Name) + ".deduped") }

// Pipeline is the three jobs of an error log, in the order events flow.
type Pipeline struct {
	Fingerprint processor.Job[struct{}]
	Dedupe      processor.Job[dedupe.State]
	RateLimit   processor.Job[ratelimit.State]
}

// Jobs builds the three jobs of cfg.
func Jobs(cfg Config) (Pipeline, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return Pipeline{}, err
	}
	dd, err := dedupe.Job(dedupe.Config{Name: cfg.Name + "-dedupe", Input: cfg.Fingerprinted(), Output: cfg.Deduped(),
		TTL: cfg.DedupeTTL, MaxIDs: cfg.MaxIDs})
	if err != nil {
		return Pipeline{}, fmt.Errorf("errorlog: %w", err)
	}
	rl, err := ratelimit.Job(ratelimit.Config{Name: cfg.Name + "-ratelimit", Input: cfg.Deduped(), Output: cfg.Output,
		SummaryOutput: cfg.Summaries,
		Limiter: ratelimit.Limiter{Limit: cfg.Limit, Policy: ratelimit.Sample, SampleEvery: cfg.SampleEvery,
			SummaryInterval: cfg.SummaryInterval}})
	if err != nil {
		return Pipeline{}, fmt.Errorf("errorlog: %w", err)
	}
	return Pipeline{Fingerprint: fingerprintJob(cfg), Dedupe: dd, RateLimit: rl}, nil
}

// clientError holds the fields of a client error event the fingerprint
// reads (Wikimedia's /mediawiki/client/error schema names them so).
type clientError struct {
	Message string `json:"message"`
	Class   string `json:"error_class"`
	Stack   string `json:"stack_trace"`
}

func fingerprintJob(cfg Config) processor.Job[struct{}] {
	out := processor.NewOutput(cfg.Fingerprinted(), event.Raw{})
	return processor.Job[struct{}]{
		Name:    cfg.Name + "-fingerprint",
		Outputs: []processor.Declared{out},
		Inputs: []processor.Input[struct{}]{processor.On(cfg.Input, event.Raw{},
			func(c *processor.Context[struct{}], _ string, raw []byte) error {
				fp, v, err := fingerprinted(raw)
				if err != nil {
					return processor.Permanent(err)
				}
				return out.Emit(c, fp, v)
			})},
	}
}

// fingerprinted returns the fingerprint of a client error event and the
// event with it as its "fingerprint" field.
func fingerprinted(raw []byte) (string, []byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return "", nil, fmt.Errorf("errorlog: not a client error event: not a JSON object")
	}
	// What the dedupe job cannot identify is refused here, where the
	// error record still holds the event as it came.
	if !utf8.Valid(raw) {
		return "", nil, errors.New("errorlog: not a client error event: not UTF-8")
	}
	var e clientError
	if err := json.Unmarshal(raw, &e); err != nil {
		return "", nil, fmt.Errorf("errorlog: not a client error event: %w", err)
	}
	if e.Message == "" {
		return "", nil, errors.New("errorlog: not a client error event: no message")
	}
	if _, err := dedupe.MetaID(raw); err != nil {
		return "", nil, errors.New("errorlog: not a client error event: no meta.id (a non-empty string), by which redelivered copies are dropped")
	}
	fp := Fingerprint(e.Class, e.Message, e.Stack)
	fields["fingerprint"], _ = json.Marshal(fp)
	v, err := json.Marshal(fields)
	if err != nil {
		return "", nil, fmt.Errorf("errorlog: %w", err)
	}
	return fp, v, nil
}
