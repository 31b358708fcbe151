// Package anomaly is the ready job that watches a Wikimedia-style platform
// for SREs: it counts edits per wiki and namespace, client errors per
// fingerprint and CDN purges per domain, learns each key's usual rate and
// alerts when one leaves it (processor/anomaly scores and alerts), through
// Alertmanager and an alerts stream. Every alert carries a runbook: what
// the alert means and what to look at first (annotations runbook and
// runbook_url; RUNBOOK.md holds the same text).
//
// It is up to three jobs, one per watched stream, all writing to one
// alerts stream:
//
//   - <Name>-edits reads page changes (mediawiki.page_change.v1) and
//     counts them under "<wiki_id>:<namespace_id>" (alert EditRateAnomaly,
//     label wiki_namespace);
//   - <Name>-client-errors reads client errors that carry a fingerprint
//     (the fingerprinted stream of jobs/errorlog) and counts them under it
//     (alert ClientErrorRateAnomaly, label fingerprint);
//   - <Name>-purges reads resource_change purges (the changeprop job's
//     output) and counts them under meta.domain (alert PurgeRateAnomaly,
//     label domain).
//
// A stream left empty in Config is not watched.
//
// The events of one key (say, all edits of enwiki's main namespace) come
// over all partitions of the input, so they reach the key's state (by
// the job's loop topic) out of order by up to the skew between partitions:
// Detector.Lateness must cover it, or the late ones are not counted
// (counted in the key's State.Late). With the default one-minute windows
// and a job that keeps up, seconds of skew are covered.
package anomaly

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/processor"
	detect "github.com/ripplestream/ripple/processor/anomaly"
)

// RunbookURL is where the runbooks are published; an alert's runbook_url is
// this with the alert's anchor.
const RunbookURL = "https://github.com/ripplestream/ripple/blob/main/jobs/anomaly/RUNBOOK.md"

// ErrInvalidConfig is wrapped by the errors of Config.Validate.
var ErrInvalidConfig = configerr.New("anomaly job")

// Config configures the jobs.
type Config struct {
	// Name prefixes the jobs' consumer groups. Required.
	Name processor.Group
	// Alerts receives every alert's transitions (ripple/alert/1.0.0).
	// Required.
	Alerts processor.Stream
	// PageChanges, ClientErrors and Purges are the streams watched; an
	// empty one is not. At least one is required.
	PageChanges, ClientErrors, Purges processor.Stream
	// Detector holds the rules for every key; its zero fields take the
	// defaults of processor/anomaly (one-minute windows, an hour of
	// history before the first alert).
	Detector detect.Detector
	// AlertmanagerURL, when set, is the Alertmanager the jobs push to.
	AlertmanagerURL string
	// Labels are added to every alert, such as team or severity.
	Labels map[string]string
	// RunbookURL is where RUNBOOK.md is published. Default RunbookURL.
	RunbookURL string
	// InputOptions are passed to processor.On for every watched stream,
	// such as processor.ValidateSchema (then processor.Config.Schemas
	// must hold each watched stream's schema): without it an event is
	// counted whatever its $schema and envelope, as long as it has its
	// key and time.
	InputOptions []processor.InputOption
}

// watch is one watched stream: what it counts and how to read an alert.
type watch struct {
	suffix, alert, label string
	input                processor.Stream
	key                  func(raw []byte) (string, error)
}

// runbooks is RUNBOOK.md: one section per alert, headed by its name.
//
//go:embed RUNBOOK.md
var runbooks string

// runbook returns the text of alert's section of RUNBOOK.md, its lines
// joined, for the runbook annotation.
func runbook(alert string) string {
	_, section, ok := strings.Cut(runbooks, "\n## "+alert+"\n")
	if !ok {
		panic("jobs/anomaly: RUNBOOK.md has no section " + alert) // caught by the package's tests
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return strings.Join(strings.Fields(section), " ")
}

func (c Config) watches() []watch {
	return []watch{
		{"-edits", "EditRateAnomaly", "wiki_namespace", c.PageChanges, WikiNamespace},
		{"-client-errors", "ClientErrorRateAnomaly", "fingerprint", c.ClientErrors, detect.KeyField("fingerprint")},
		{"-purges", "PurgeRateAnomaly", "domain", c.Purges, detect.KeyField("meta", "domain")},
	}
}

// WithDefaults returns c with its unset fields set to their defaults (the
// Detector's are filled by each job's processor/anomaly configuration).
func (c Config) WithDefaults() Config {
	if c.RunbookURL == "" {
		c.RunbookURL = RunbookURL
	}
	return c
}

// Validate reports a configuration that cannot work; it changes nothing.
func (c Config) Validate() error {
	if c.Name == "" || c.Alerts == "" {
		return fmt.Errorf("%w: Name %q and Alerts %q are both required", ErrInvalidConfig, c.Name, c.Alerts)
	}
	if c.PageChanges == "" && c.ClientErrors == "" && c.Purges == "" {
		return fmt.Errorf("%w: %s watches nothing: set at least one of PageChanges, ClientErrors and Purges", ErrInvalidConfig, c.Name)
	}
	return nil
}

// Jobs builds one job per watched stream.
func Jobs(cfg Config) ([]processor.Job[detect.KeyState], error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var jobs []processor.Job[detect.KeyState]
	for _, w := range cfg.watches() {
		if w.input == "" {
			continue
		}
		job, err := detect.Job(detect.Config{
			Name: cfg.Name + processor.Group(w.suffix), Input: w.input, Output: cfg.Alerts, Detector: cfg.Detector,
			Key: w.key, AlertName: w.alert, KeyLabel: w.label, Labels: cfg.Labels, AlertmanagerURL: cfg.AlertmanagerURL,
			Annotations:  map[string]string{"runbook": runbook(w.alert), "runbook_url": cfg.RunbookURL + "#" + strings.ToLower(w.alert)},
			InputOptions: cfg.InputOptions,
		})
		if err != nil {
			return nil, fmt.Errorf("anomaly job %s: %w", w.alert, err)
		}
		jobs = append(jobs, job)
	}
	return jobs, nil
}

// WikiNamespace is the key of a page change: "<wiki_id>:<namespace_id>",
// such as "enwiki:0". An event without them is an error.
func WikiNamespace(raw []byte) (string, error) {
	var ev struct {
		WikiID string `json:"wiki_id"`
		Page   struct {
			Namespace *int `json:"namespace_id"`
		} `json:"page"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return "", fmt.Errorf("%w: not a page change: %v", detect.ErrBadKey, err)
	}
	if ev.WikiID == "" || ev.Page.Namespace == nil {
		return "", fmt.Errorf("%w: not a page change: no wiki_id or page.namespace_id", detect.ErrBadKey)
	}
	return fmt.Sprintf("%s:%d", ev.WikiID, *ev.Page.Namespace), nil
}
