package errortopic_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/errortopic"
)

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		cfg errortopic.Config
		ok  bool
	}{
		{errortopic.Config{Brokers: []string{"b:1"}, Job: "j"}, true},
		{errortopic.Config{Brokers: []string{"b:1"}, Job: "j", KafkaVersion: "2.3.0", Batch: 1}, true},
		{errortopic.Config{Job: "j"}, false},
		{errortopic.Config{Brokers: []string{"b:1"}}, false},
		{errortopic.Config{Brokers: []string{"b:1"}, Job: "j", KafkaVersion: "four"}, false},
		{errortopic.Config{Brokers: []string{"b:1"}, Job: "j", KafkaVersion: "0.10.2.0"}, false},
		{errortopic.Config{Brokers: []string{"b:1"}, Job: "j", Batch: -1}, false},
	} {
		err := c.cfg.WithDefaults().Validate()
		if c.ok != (err == nil) || err != nil && !errors.Is(err, errortopic.ErrInvalidConfig) {
			t.Errorf("Validate(%+v) = %v, want ok=%v", c.cfg, err, c.ok)
		}
	}
	d := errortopic.Config{Job: "j"}.WithDefaults()
	if d.Group != "j.errors-replay" || d.Batch != errortopic.DefaultBatch || d.Idle != errortopic.DefaultIdle || d.Topic() != "j.error" {
		t.Errorf("WithDefaults = %+v, topic %s", d, d.Topic())
	}
}

func TestFilterMatch(t *testing.T) {
	rec := processor.ErrorRecord{Message: "deps: store unavailable: timeout", ErroredStreamName: "edits"}
	for _, c := range []struct {
		f    errortopic.Filter
		want bool
	}{
		{errortopic.Filter{}, true},
		{errortopic.Filter{Stream: "edits"}, true},
		{errortopic.Filter{Stream: "links"}, false},
		{errortopic.Filter{Reason: regexp.MustCompile("unavailable")}, true},
		{errortopic.Filter{Reason: regexp.MustCompile("^timeout")}, false},
		{errortopic.Filter{Reason: regexp.MustCompile("timeout$"), Stream: "edits"}, true},
		{errortopic.Filter{Reason: regexp.MustCompile("timeout$"), Stream: "links"}, false},
	} {
		if got := c.f.Match(rec); got != c.want {
			t.Errorf("%v matches %+v: %v, want %v", c.f, rec, got, c.want)
		}
	}
}
