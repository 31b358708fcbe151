package anomaly

import (
	"fmt"
	"maps"
	"math"
	"strconv"
	"time"

	"github.com/ripplestream/ripple/event"
)

// AlertSchema is the $schema of AlertEvent, in the schema repository of
// package schemas (jsonschema/ripple/alert).
const AlertSchema = "/ripple/alert/1.0.0"

// AlertEvent is an alert changing status, as the job emits it to
// Config.Output under the key. dt is when the status changed: the end of
// the window that changed it, in event time.
type AlertEvent struct {
	event.Envelope
	// AlertName is Config.AlertName.
	AlertName string `json:"alert_name"`
	// Key is what was measured.
	Key string `json:"key"`
	// Status is the alert's new status.
	Status Status `json:"status"`
	// Direction is the side of the baseline the alert is about.
	Direction Direction `json:"direction"`
	// Value, Baseline, Threshold and Score describe the window that changed
	// the status (see Transition); ScoreThreshold is Detector.Threshold.
	Value          float64 `json:"value"`
	Baseline       float64 `json:"baseline"`
	Threshold      float64 `json:"threshold"`
	Score          float64 `json:"score"`
	ScoreThreshold float64 `json:"score_threshold"`
	// Window is the window that changed the status.
	Window Window `json:"window"`
	// StartedAt is when the alert started firing.
	StartedAt time.Time `json:"started_at"`
	// Labels are Config.Labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Summary says the same in a sentence.
	Summary string `json:"summary"`
}

// Window is a time window [Start, End) in event time.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// alertEvent returns the event of tr for key, received at now.
func (s *stage) alertEvent(key string, tr Transition, now time.Time) AlertEvent {
	ev := AlertEvent{
		Envelope: event.Envelope{Schema: AlertSchema, DT: tr.End.UTC(),
			Meta: event.Meta{Stream: string(s.cfg.Output), ID: event.NewID(), DT: now.UTC()}},
		AlertName: s.cfg.AlertName, Key: key, Status: tr.Status, Direction: tr.Direction,
		Value: tr.Value, Baseline: round(tr.Baseline), Threshold: round(tr.Threshold), Score: round(tr.Score),
		ScoreThreshold: s.det.Threshold,
		Window:         Window{Start: tr.Start.UTC(), End: tr.End.UTC()},
		StartedAt:      tr.Since.UTC(),
		Labels:         s.cfg.Labels,
	}
	window := tr.End.Sub(tr.Start)
	if tr.Status == Firing {
		ev.Summary = fmt.Sprintf("%s: %q is %s its baseline: %s in %v, expected %s (threshold %s, score %s)",
			ev.AlertName, key, tr.Direction, num(ev.Value), window, num(ev.Baseline), num(ev.Threshold), num(ev.Score))
	} else {
		ev.Summary = fmt.Sprintf("%s: %q is back within its threshold since %s after firing since %s: %s in %v, expected %s (threshold %s)",
			ev.AlertName, key, ev.DT.Format(time.RFC3339), ev.StartedAt.Format(time.RFC3339),
			num(ev.Value), window, num(ev.Baseline), num(ev.Threshold))
	}
	return ev
}

// amAlert returns ev as Alertmanager takes it, pushed at now. A firing
// alert lasts AlertHold unless pushed again; a resolved one ends at its dt
// (or now, if the event times run ahead of this clock).
func (s *stage) amAlert(ev AlertEvent, now time.Time) Alert {
	labels := make(map[string]string, len(s.cfg.Labels)+3)
	maps.Copy(labels, s.cfg.Labels)
	labels["alertname"] = ev.AlertName
	labels["job"] = string(s.cfg.Name)
	labels[s.cfg.KeyLabel] = ev.Key
	annotations := make(map[string]string, len(ownAnnotations)+len(s.cfg.Annotations))
	maps.Copy(annotations, s.cfg.Annotations)
	for k, v := range map[string]string{
		"summary":      ev.Summary,
		"direction":    string(ev.Direction),
		"value":        num(ev.Value),
		"baseline":     num(ev.Baseline),
		"threshold":    num(ev.Threshold),
		"score":        num(ev.Score),
		"window_start": ev.Window.Start.Format(time.RFC3339Nano),
		"window_end":   ev.Window.End.Format(time.RFC3339Nano),
	} {
		annotations[k] = v
	}
	a := Alert{
		Labels:       labels,
		Annotations:  annotations,
		StartsAt:     earliest(ev.StartedAt, now).UTC(),
		GeneratorURL: s.cfg.GeneratorURL,
	}
	if ev.Status == Firing {
		a.EndsAt = now.Add(s.cfg.AlertHold).UTC()
	} else {
		a.EndsAt = earliest(ev.DT, now).UTC()
	}
	return a
}

// ownAnnotations are the annotations amAlert sets itself.
var ownAnnotations = []string{"summary", "direction", "value", "baseline", "threshold", "score", "window_start", "window_end"}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// round keeps three decimals: enough for counts, and readable.
func round(v float64) float64 { return math.Round(v*1000) / 1000 }

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
