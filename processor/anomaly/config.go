package anomaly

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ripplestream/ripple/processor"
)

// Defaults of Config.WithDefaults.
const (
	// DefaultAlertName is the default Config.AlertName.
	DefaultAlertName = "RateAnomaly"
	// DefaultKeyLabel is the default Config.KeyLabel.
	DefaultKeyLabel = "key"
	// DefaultMaxEventBytes is the default Config.MaxEventBytes: Kafka's
	// default largest record.
	DefaultMaxEventBytes = 1 << 20
	// DefaultMaxAhead is the default Config.MaxAhead.
	DefaultMaxAhead = time.Minute
	// DefaultPushPause is the default Config.PushPause.
	DefaultPushPause = 30 * time.Second
)

// Config configures the anomaly job (see Job). Unset fields take their
// defaults (WithDefaults).
type Config struct {
	// Name is the job's consumer group. Required.
	Name processor.Group
	// Input is the stream of events to count. Required.
	Input processor.Stream
	// Output receives an AlertEvent whenever a key's alert changes status,
	// under the key. Required.
	Output processor.Stream
	// Detector holds the rules; its zero fields take their defaults.
	Detector Detector

	// Key returns the key an event is counted under, such as an error
	// signature. Its errors, and an empty or non-UTF-8 key, send the event
	// to the error topic. Default: the Kafka key. With Key set, an event
	// whose key differs from its Kafka key goes once round the job's loop
	// topic (<name>-loop), so that each key's state lives in the partition
	// of that key.
	Key func(raw []byte) (string, error)
	// Value returns how much an event counts, such as a count field of a
	// pre-aggregated event (see Field). Its errors, and values that are
	// negative, NaN or infinite, send the event to the error topic.
	// Default: 1 per event.
	Value func(raw []byte) (float64, error)

	// AlertName is the alert's name: the alertname label in Alertmanager.
	// Default DefaultAlertName.
	AlertName string
	// KeyLabel is the Alertmanager label that carries the key. Default
	// DefaultKeyLabel.
	KeyLabel string
	// Labels are added to every alert, such as severity or team. Names
	// must be Prometheus label names other than alertname, job and
	// KeyLabel.
	Labels map[string]string
	// Annotations are added to every alert pushed to Alertmanager, such as
	// runbook (what to do) and runbook_url. They may not replace the
	// annotations the job sets itself (summary, direction, value,
	// baseline, threshold, score, window_start, window_end).
	Annotations map[string]string

	// AlertmanagerURL, when set, is an Alertmanager (v2 API) the job pushes
	// alerts to, such as http://127.0.0.1:9093.
	AlertmanagerURL string
	// ClientOptions tune the Alertmanager client (timeout, retries).
	ClientOptions []ClientOption
	// AlertHold is how long Alertmanager keeps a firing alert that is not
	// pushed again (its endsAt). The job pushes a firing alert again as each
	// window closes, so only a job that stopped lets it lapse. Default
	// 4·(Bucket+Lateness); at least Bucket+Lateness.
	AlertHold time.Duration
	// PushPause is how long the job stops pushing after a push failed all
	// its attempts, so an Alertmanager outage does not hold up every
	// window. Alerts missed meanwhile are still in Output; a firing one
	// reaches Alertmanager with the next window. Default DefaultPushPause;
	// negative: no pause.
	PushPause time.Duration
	// GeneratorURL, when set, is the generatorURL of pushed alerts: a page
	// that explains them, such as a dashboard.
	GeneratorURL string

	// MaxEventBytes is the largest event accepted; larger ones go to the
	// error topic. Default DefaultMaxEventBytes.
	MaxEventBytes int
	// MaxAhead refuses events whose time is more than this ahead of the
	// job's processing time (a producer with a wrong clock would otherwise
	// close its key's windows early). Default DefaultMaxAhead; negative: no
	// limit.
	MaxAhead time.Duration
	// IdleAfter is how long after its last event a key's windows still
	// close on timers (when its alert is not firing): long enough to score
	// the windows of a drop. Default (Consecutive+2)·Bucket + Lateness.
	IdleAfter time.Duration
	// InputOptions are passed to processor.On for the input.
	InputOptions []processor.InputOption
}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// WithDefaults returns a copy of c with its unset fields, and its
// Detector's, set to their defaults.
func (c Config) WithDefaults() Config {
	c.Detector = c.Detector.WithDefaults()
	c.AlertName = orDefaultString(c.AlertName, DefaultAlertName)
	c.KeyLabel = orDefaultString(c.KeyLabel, DefaultKeyLabel)
	d := &c.Detector
	if c.AlertHold == 0 {
		c.AlertHold = 4 * (d.Bucket + d.lateness())
	}
	switch {
	case c.PushPause == 0:
		c.PushPause = DefaultPushPause
	case c.PushPause < 0:
		c.PushPause = 0
	}
	switch {
	case c.MaxAhead == 0:
		c.MaxAhead = DefaultMaxAhead
	case c.MaxAhead < 0:
		c.MaxAhead = 1<<63 - 1
	}
	c.IdleAfter = orDefault(c.IdleAfter, time.Duration(d.Consecutive+2)*d.Bucket+d.lateness())
	c.MaxEventBytes = orDefault(c.MaxEventBytes, DefaultMaxEventBytes)
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c: unset fields are valid, and the
// checks apply to the values WithDefaults gives them.
func (c Config) Validate() error {
	switch {
	case c.Name == "" || c.Input == "" || c.Output == "":
		return fmt.Errorf("%w: Name %q, Input %q and Output %q are all required", ErrInvalidConfig, c.Name, c.Input, c.Output)
	case c.Input == c.Output:
		return fmt.Errorf("%w: job %s: Output is the Input %q (a loop)", ErrInvalidConfig, c.Name, c.Input)
	case c.MaxEventBytes < 0:
		return fmt.Errorf("%w: job %s: MaxEventBytes %d is negative", ErrInvalidConfig, c.Name, c.MaxEventBytes)
	case c.AlertHold < 0 || c.IdleAfter < 0:
		return fmt.Errorf("%w: job %s: AlertHold %v and IdleAfter %v must not be negative", ErrInvalidConfig, c.Name, c.AlertHold, c.IdleAfter)
	}
	if err := c.Detector.Validate(); err != nil {
		return fmt.Errorf("job %s: %w", c.Name, err)
	}
	c = c.WithDefaults()
	if !utf8.ValidString(c.AlertName) || len(c.AlertName) > 256 {
		return fmt.Errorf("%w: job %s: AlertName %q is not UTF-8 of at most 256 bytes", ErrInvalidConfig, c.Name, c.AlertName)
	}
	if !labelName.MatchString(c.KeyLabel) || c.KeyLabel == "alertname" || c.KeyLabel == "job" {
		return fmt.Errorf("%w: job %s: KeyLabel %q is not a label name other than alertname and job", ErrInvalidConfig, c.Name, c.KeyLabel)
	}
	for name, v := range c.Labels {
		if !labelName.MatchString(name) || strings.HasPrefix(name, "__") || name == "alertname" || name == "job" || name == c.KeyLabel {
			return fmt.Errorf("%w: job %s: label %q: want a Prometheus label name (not __*, alertname, job or %s)", ErrInvalidConfig, c.Name, name, c.KeyLabel)
		}
		if !utf8.ValidString(v) {
			return fmt.Errorf("%w: job %s: label %s: value is not UTF-8", ErrInvalidConfig, c.Name, name)
		}
	}
	for name, v := range c.Annotations {
		if slices.Contains(ownAnnotations, name) || name == "" || !utf8.ValidString(v) {
			return fmt.Errorf("%w: job %s: annotation %q: want a name other than %s, and a UTF-8 value",
				ErrInvalidConfig, c.Name, name, strings.Join(ownAnnotations, ", "))
		}
	}
	if c.GeneratorURL != "" {
		if u, err := url.Parse(c.GeneratorURL); err != nil || !u.IsAbs() {
			return fmt.Errorf("%w: job %s: GeneratorURL %q is not an absolute URL", ErrInvalidConfig, c.Name, c.GeneratorURL)
		}
	}
	if step := c.Detector.Bucket + c.Detector.lateness(); c.AlertHold < step {
		return fmt.Errorf("%w: job %s: AlertHold %v is shorter than a window and its lateness (%v): alerts would lapse between pushes",
			ErrInvalidConfig, c.Name, c.AlertHold, step)
	}
	return nil
}

func orDefaultString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
