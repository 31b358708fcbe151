package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// postEvents is POST /v1/events.
func (s *Service) postEvents(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.answer(w, start, http.StatusMethodNotAllowed, "POST events to "+EventsPath, nil)
		return
	}
	// Admitted before the body is read, so that Close waits for every
	// request it did not refuse: none is accepted and then lost.
	if !s.admit() {
		w.Header().Set("Retry-After", "1")
		s.answer(w, start, http.StatusServiceUnavailable, "intake: shutting down: post the events again (to another instance)", nil)
		return
	}
	evs, ok := s.take(w, r, start)
	if !ok {
		s.release()
		return
	}
	if hasty, _ := strconv.ParseBool(r.URL.Query().Get("hasty")); hasty {
		go func() {
			defer s.release()
			s.produce(evs)
			s.count(evs)
		}()
		s.answer(w, start, http.StatusAccepted, "", nil)
		return
	}
	defer s.release()
	s.produce(evs)
	s.count(evs)
	s.respond(w, start, evs)
}

// take reads and checks the events of r; when it returns false it has
// answered r.
func (s *Service) take(w http.ResponseWriter, r *http.Request, start time.Time) ([]checked, bool) {
	body, err := readBody(w, r, s.cfg.MaxBodyBytes)
	switch {
	case err == errTooLarge:
		s.answer(w, start, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the body is over %d bytes: post fewer events per request", s.cfg.MaxBodyBytes), nil)
		return nil, false
	case err != nil:
		s.answer(w, start, http.StatusBadRequest, "reading the body: "+err.Error(), nil)
		return nil, false
	}
	raws, err := splitBody(body)
	if err == nil && (len(raws) == 0 || len(raws[0]) == 0) {
		err = fmt.Errorf("must provide JSON encoded events in request body")
	}
	if err != nil {
		s.answer(w, start, http.StatusBadRequest, err.Error(), nil)
		return nil, false
	}
	s.metrics.batch.Observe(float64(len(raws)))
	now := time.Now().UTC().Format(time.RFC3339Nano)
	evs := make([]checked, len(raws))
	for i, raw := range raws {
		evs[i] = s.check(raw, now)
	}
	return evs, true
}

// produce sends the accepted events of evs and waits for the brokers'
// acknowledgements; an event that fails becomes failed. Records of
// concurrent requests share batches.
func (s *Service) produce(evs []checked) {
	var wg sync.WaitGroup
	for i := range evs {
		c := &evs[i]
		if c.outcome != accepted {
			continue
		}
		wg.Add(1)
		s.client.Produce(s.ctx, &kgo.Record{Topic: c.stream, Value: c.value}, func(_ *kgo.Record, err error) {
			if err != nil {
				c.outcome, c.err = failed, fmt.Errorf("producing to %s: %w", c.stream, err)
			}
			wg.Done()
		})
	}
	wg.Wait()
}

func (s *Service) count(evs []checked) {
	for _, c := range evs {
		s.metrics.events.WithLabelValues(c.stream, string(c.outcome)).Inc()
		if c.outcome == failed {
			s.cfg.Logger.Error("intake: event not produced", "stream", c.stream, "err", c.err)
		}
	}
}

// respond answers as EventGate does, by how many events were invalid or
// failed.
func (s *Service) respond(w http.ResponseWriter, start time.Time, evs []checked) {
	var invalids, errs []status
	for _, c := range evs {
		switch c.outcome {
		case invalid:
			invalids = append(invalids, c.entry())
		case failed:
			errs = append(errs, c.entry())
		}
	}
	n, bad := len(evs), len(invalids)+len(errs)
	switch {
	case bad == 0:
		s.answer(w, start, http.StatusCreated, "", nil)
	case len(invalids) == n:
		s.answer(w, start, http.StatusBadRequest, "", map[string][]status{"invalid": invalids})
	case bad < n:
		s.answer(w, start, http.StatusMultiStatus, "", map[string][]status{"invalid": nonNil(invalids), "error": nonNil(errs)})
	default:
		s.answer(w, start, http.StatusInternalServerError, "", map[string][]status{"invalid": nonNil(invalids), "error": nonNil(errs)})
	}
	if bad > 0 {
		s.cfg.Logger.Debug("intake: events refused", "events", n, "invalid", len(invalids), "error", len(errs))
	}
}

func nonNil(s []status) []status {
	if s == nil {
		return []status{}
	}
	return s
}

// answer writes code with body as JSON, or msg as text, or nothing.
func (s *Service) answer(w http.ResponseWriter, start time.Time, code int, msg string, body any) {
	s.metrics.request(code)
	s.metrics.duration.Observe(time.Since(start).Seconds())
	switch {
	case body != nil:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(body)
	case msg != "":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintln(w, msg)
	default:
		w.WriteHeader(code)
	}
}

// kgoLogger sends franz-go's logs to a slog.Logger.
type kgoLogger struct{ l *slog.Logger }

func (k kgoLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

func (k kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	lv := slog.LevelWarn
	if level == kgo.LogLevelError {
		lv = slog.LevelError
	}
	k.l.Log(context.Background(), lv, "kafka: "+msg, keyvals...)
}
