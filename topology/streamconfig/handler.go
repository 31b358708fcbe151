package streamconfig

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Path is where Handler is served by ripple run: a versioned path of its
// own beside /metrics, /healthz and /readyz, since MediaWiki's
// /w/api.php?action=streamconfigs is a dispatcher ripple does not have.
const Path = "/v1/streams"

// Handler serves the settings of streams (keyed by stream name) as
// MediaWiki's action=streamconfigs API does (format=json,
// formatversion=2): GET returns {"streams": {"name": {settings}}}.
//
// ?streams=a|b selects streams; a name that is not declared is left out
// of the answer, as MediaWiki leaves it out. Without ?all_settings only
// the settings clients need are returned: EventStreamConfig's
// StreamConfig::INTERNAL_SETTINGS (stream, topics, topic_prefixes,
// destination_event_service, schema_title, canary_events_enabled) are
// left out, which leaves sample and producers. ?all_settings (present,
// with any value, as a MediaWiki boolean parameter) returns them all,
// with stream and topics as MediaWiki adds them.
func Handler(streams map[string]Settings) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "streamconfig: only GET", http.StatusMethodNotAllowed)
			return
		}
		q := r.URL.Query()
		_, all := q["all_settings"]
		out := map[string]map[string]any{}
		if names, ok := q["streams"]; ok {
			for _, n := range strings.Split(strings.Join(names, "|"), "|") {
				if s, ok := streams[n]; ok {
					out[n] = s.export(n, all)
				}
			}
		} else {
			for n, s := range streams {
				out[n] = s.export(n, all)
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		// As MediaWiki's API: stream settings change with a deploy, and
		// clients may cache them for 10 minutes.
		w.Header().Set("Cache-Control", "public, max-age=600")
		_ = json.NewEncoder(w).Encode(map[string]any{"streams": out})
	})
}

// export returns the settings of stream as action=streamconfigs writes
// them: all of them, or only those that are not internal.
func (s Settings) export(stream string, all bool) map[string]any {
	m := map[string]any{}
	if s.Sample != nil {
		sample := map[string]any{"rate": s.Sample.Rate}
		if s.Sample.Unit != "" {
			sample["unit"] = s.Sample.Unit
		}
		m["sample"] = sample
	}
	if s.Producers != nil {
		m["producers"] = s.Producers
	}
	if !all {
		return m
	}
	m["stream"] = stream
	m["topics"] = []string{stream}
	if s.SchemaTitle != "" {
		m["schema_title"] = s.SchemaTitle
	}
	if s.DestinationEventService != "" {
		m["destination_event_service"] = s.DestinationEventService
	}
	if s.CanaryEventsEnabled != nil {
		m["canary_events_enabled"] = *s.CanaryEventsEnabled
	}
	return m
}
