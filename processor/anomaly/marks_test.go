package anomaly

import (
	"testing"
	"time"
)

// TestEstimate checks the event time a timer advances a key to (see marks).
func TestEstimate(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	step := 66 * time.Second
	key := &KeyState{Newest: t0, NewestAt: t0.Add(time.Hour)} // seen an hour late
	tests := []struct {
		name   string
		saw    []time.Time // event times seen in the partition, one a second from t0+1h
		now    time.Time
		want   time.Time // zero: unknown
		wantOK bool
	}{
		// A restarted job: nothing read from the partition yet. The key's
		// own time would say t0+10min; the input may hold the events.
		{"restart", nil, t0.Add(time.Hour + 10*time.Minute), time.Time{}, false},
		// Lagging: the partition's last event (t0-5min, read at t0+1h+1s)
		// is behind the key's extrapolation (t0+30s): the job has not read
		// up to the key's time yet.
		{"lag", []time.Time{t0.Add(-5 * time.Minute)}, t0.Add(time.Hour + 30*time.Second), t0.Add(-5*time.Minute + 29*time.Second), true},
		// A slow producer: the partition (t0+5min) is ahead of the key.
		{"slow key", []time.Time{t0.Add(5 * time.Minute)}, t0.Add(time.Hour + 31*time.Second), t0.Add(31 * time.Second), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := marks{m: map[int32]mark{}}
			for i, e := range tt.saw {
				m.saw(3, e, t0.Add(time.Hour+time.Duration(i+1)*time.Second))
			}
			got, ok := m.estimate(3, tt.now, key, step)
			if ok != tt.wantOK || !got.Equal(tt.want) {
				t.Fatalf("estimate = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	// A partition that stays idle for a step after the first question: the
	// key's own time stands alone.
	m := marks{m: map[int32]mark{}}
	if _, ok := m.estimate(1, t0.Add(time.Hour), key, step); ok {
		t.Fatal("known before any event")
	}
	if got, ok := m.estimate(1, t0.Add(time.Hour+step), key, step); !ok || !got.Equal(t0.Add(step)) {
		t.Fatalf("idle partition: %v %v, want the key's own time %v", got, ok, t0.Add(step))
	}
	if got, ok := m.estimate(1, t0.Add(time.Hour+step), &KeyState{}, step); !ok || !got.Equal(t0.Add(time.Hour+step)) {
		t.Fatalf("idle partition, key without events: %v %v", got, ok)
	}
}
