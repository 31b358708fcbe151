package configerr_test

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/deps"
	"github.com/ripplestream/ripple/deps/dgraphstore"
	"github.com/ripplestream/ripple/deps/pebblestore"
	"github.com/ripplestream/ripple/deps/propagate"
	"github.com/ripplestream/ripple/deps/workload"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	jobanomaly "github.com/ripplestream/ripple/jobs/anomaly"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/jobs/errorlog"
	"github.com/ripplestream/ripple/jobs/searchindex"
	"github.com/ripplestream/ripple/jobs/sink"
	sinkparquet "github.com/ripplestream/ripple/jobs/sink/parquet"
	sinkpostgres "github.com/ripplestream/ripple/jobs/sink/postgres"
	sinkredis "github.com/ripplestream/ripple/jobs/sink/redis"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/processor/anomaly"
	"github.com/ripplestream/ripple/processor/dedupe"
	"github.com/ripplestream/ripple/processor/diff"
	"github.com/ripplestream/ripple/processor/errortopic"
	"github.com/ripplestream/ripple/processor/filter"
	"github.com/ripplestream/ripple/processor/ratelimit"
	"github.com/ripplestream/ripple/processor/tokens"
	"github.com/ripplestream/ripple/processor/window"
	"github.com/ripplestream/ripple/schemas"
	"github.com/ripplestream/ripple/state"
	"github.com/ripplestream/ripple/topology/intake"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// config is what the convention asks of every Config: a pure Validate and
// a WithDefaults that returns a filled copy.
type config[C any] interface {
	Validate() error
	WithDefaults() C
}

// TestConfigConvention checks every Config of the processor, the
// operators, state, the stores, the workload and the ready jobs against the one convention: Validate
// changes nothing (not even what a pointer field points to); a config with
// only its required fields set passes WithDefaults then Validate, and
// WithDefaults changes nothing of a filled config; a wrong field fails
// with an error that errors.Is matches to the package's ErrInvalidConfig
// and to every other's.
func TestConfigConvention(t *testing.T) {
	rate := ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 10}, Adaptive: &ratelimit.Adaptive{}}
	windower := window.Windower[int64, struct{}]{Assigner: window.Tumbling(time.Minute), Aggregator: window.Count[struct{}]()}
	check(t, "processor", processor.ErrInvalidConfig,
		processor.Config{Brokers: []string{"127.0.0.1:19092"}}, processor.Config{Brokers: []string{"b:1"}, KafkaVersion: "2.0.0"})
	check(t, "kafkaclient", kafkaclient.ErrInvalidConfig,
		kafkaclient.Config{Brokers: []string{"b:1"}}, kafkaclient.Config{Brokers: []string{"b:1"}, Replication: -1})
	check(t, "dedupe", dedupe.ErrInvalidConfig,
		dedupe.Config{Name: "d", Input: "in", Output: "out"}, dedupe.Config{Name: "d", Input: "in", Output: "out", TTL: -time.Second})
	check(t, "ratelimit.Limiter", ratelimit.ErrInvalidConfig, rate, ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 10}, Policy: "queue"})
	check(t, "ratelimit", ratelimit.ErrInvalidConfig,
		ratelimit.Config{Name: "r", Input: "in", Output: "out", Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 10}}},
		ratelimit.Config{Name: "r", Input: "in", Output: "out", Limiter: ratelimit.Limiter{Limit: ratelimit.Limit{Rate: 10}}, MaxEventBytes: -1})
	check(t, "ratelimit.ReleaseConfig", ratelimit.ErrInvalidConfig,
		ratelimit.ReleaseConfig{Name: "r", Input: "in", Output: "out"}, ratelimit.ReleaseConfig{Name: "r", Input: "in", Output: "in"})
	check(t, "window.Windower", window.ErrInvalidConfig, windower,
		window.Windower[int64, struct{}]{Assigner: window.Tumbling(time.Minute), Aggregator: window.Count[struct{}](), Lateness: -time.Second})
	check(t, "window", window.ErrInvalidConfig,
		window.Config[int64, struct{}]{Name: "w", Input: "in", Output: "out", Windower: windower},
		window.Config[int64, struct{}]{Name: "w", Input: "in", Output: "out", Windower: windower, LateOutput: "in"})
	check(t, "anomaly.Detector", anomaly.ErrInvalidConfig, anomaly.Detector{}, anomaly.Detector{History: 2})
	check(t, "anomaly", anomaly.ErrInvalidConfig,
		anomaly.Config{Name: "a", Input: "in", Output: "out", Labels: map[string]string{"team": "sre"}},
		anomaly.Config{Name: "a", Input: "in", Output: "out", Labels: map[string]string{"job": "x"}})
	check(t, "filter", filter.ErrInvalidConfig,
		filter.Config{Patterns: []filter.Pattern{{Text: "spam"}}}, filter.Config{Patterns: []filter.Pattern{{Text: "spam"}}, PollInterval: time.Millisecond})
	check(t, "diff", diff.ErrInvalidConfig, diff.Config{}, diff.Config{MaxTextBytes: 2 << 20, MaxDiffBytes: 1 << 20})
	check(t, "tokens", tokens.ErrInvalidConfig, tokens.Config{}, tokens.Config{MaxTokenBytes: -1})
	check(t, "errortopic", errortopic.ErrInvalidConfig,
		errortopic.Config{Brokers: []string{"b:1"}, Job: "j"}, errortopic.Config{Brokers: []string{"b:1"}})
	check(t, "state", state.ErrInvalidConfig, state.Config{Dir: "d"}, state.Config{Dir: "d", MemTableBytes: 1})
	check(t, "pebblestore", deps.ErrInvalidConfig, pebblestore.Config{Dir: "d"}, pebblestore.Config{Dir: "d", BlockCacheBytes: -1})
	check(t, "dgraphstore", deps.ErrInvalidConfig,
		dgraphstore.Config{Addrs: []string{"127.0.0.1:9080"}}, dgraphstore.Config{Addrs: []string{"127.0.0.1:9080"}, Prefix: "9x"})
	check(t, "propagate", propagate.ErrInvalidConfig, propagate.Config{}, propagate.Config{BatchSize: -1})
	check(t, "propagate.WindowConfig", propagate.ErrInvalidConfig, propagate.WindowConfig{}, propagate.WindowConfig{MaxOpen: -1})
	store, err := pebblestore.Open(pebblestore.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	check(t, "changeprop", changeprop.ErrInvalidConfig, changeprop.Config{Store: store}, changeprop.Config{Store: store, Engine: propagate.Config{MaxDepth: -1}})
	check(t, "workload", deps.ErrInvalidConfig, workload.Config{}, workload.Config{Pages: 5})
	check(t, "workload.Sessions", deps.ErrInvalidConfig, workload.Sessions{}, workload.Sessions{Rate: -1})
	check(t, "searchindex", searchindex.ErrInvalidConfig,
		searchindex.Config{Name: "s", Revisions: "r", Scores: "s", Output: "o"},
		searchindex.Config{Name: "s", Revisions: "r", Scores: "s", Output: "o", Wait: -time.Second})
	check(t, "errorlog", errorlog.ErrInvalidConfig,
		errorlog.Config{Name: "e", Input: "in", Output: "out", Summaries: "sum"},
		errorlog.Config{Name: "e", Input: "in", Output: "out", Summaries: "sum", MaxIDs: -1})
	check(t, "sink", sink.ErrInvalidConfig,
		sink.Config{Name: "s", Input: "in", Brokers: []string{"b:1"}}, sink.Config{Name: "s", Input: "in", Brokers: []string{"b:1"}, Errors: "in"})
	check(t, "sink/postgres", sinkpostgres.ErrInvalidConfig,
		sinkpostgres.Config{Name: "s", URL: "postgres://h/db", Table: "t", Columns: []sinkpostgres.Column{{Name: "c", Pointer: "/c"}}},
		sinkpostgres.Config{Name: "s", URL: "postgres://h/db", Table: "t", Columns: []sinkpostgres.Column{{Name: "kafka_offset", Pointer: "/c"}}})
	check(t, "sink/redis", sinkredis.ErrInvalidConfig,
		sinkredis.Config{Name: "s", Addr: "127.0.0.1:16379"}, sinkredis.Config{Name: "s", Addr: "127.0.0.1:16379", TTL: -time.Second})
	repo, err := event.OpenRepositoryFS(schemas.FS())
	if err != nil {
		t.Fatal(err)
	}
	check(t, "sink/parquet", sinkparquet.ErrInvalidConfig,
		sinkparquet.Config{Dir: "d", Repository: repo, Schema: "/resource_change/1.0.0"},
		sinkparquet.Config{Dir: "d", Repository: repo, Schema: "/resource_change/1.0.0", Compression: "lz5"})
	check(t, "jobs/anomaly", jobanomaly.ErrInvalidConfig,
		jobanomaly.Config{Name: "a", Alerts: "alerts", PageChanges: "pc"}, jobanomaly.Config{Name: "a", Alerts: "alerts"})
	streams := map[string]streamconfig.Settings{"resource_change": {SchemaTitle: "resource_change"}}
	check(t, "intake", intake.ErrInvalidConfig,
		intake.Config{Brokers: []string{"b:1"}, Schemas: repo, Streams: streams},
		intake.Config{Brokers: []string{"b:1"}, Schemas: repo, Streams: streams, MaxBodyBytes: -1})
}

func check[C config[C]](t *testing.T, name string, sentinel error, ok, wrong C) {
	t.Run(name, func(t *testing.T) {
		before := snapshot(ok)
		if err := ok.Validate(); err != nil {
			t.Errorf("Validate of a config with its required fields set: %v", err)
		}
		if got := snapshot(ok); got != before {
			t.Errorf("Validate changed its receiver:\n got %s\nwant %s", got, before)
		}
		filled := ok.WithDefaults()
		if got := snapshot(ok); got != before {
			t.Errorf("WithDefaults changed its receiver:\n got %s\nwant %s", got, before)
		}
		if err := filled.Validate(); err != nil {
			t.Errorf("WithDefaults then Validate: %v", err)
		}
		if again := filled.WithDefaults(); snapshot(again) != snapshot(filled) {
			t.Errorf("WithDefaults of a filled config changed it:\n got %s\nwant %s", snapshot(again), snapshot(filled))
		}
		for _, c := range []C{wrong, wrong.WithDefaults()} {
			err := c.Validate()
			if !errors.Is(err, sentinel) || !errors.Is(err, processor.ErrInvalidConfig) || !errors.Is(err, state.ErrInvalidConfig) {
				t.Errorf("Validate of a wrong config = %v, want an error matching ErrInvalidConfig (its own, processor's and state's)", err)
			}
		}
	})
}

// snapshot prints v with what its pointers, maps and slices hold, the
// pointers in its interfaces by identity, and funcs as set or not, so two snapshots differ when anything reachable
// from v changed.
func snapshot(v any) string {
	var b strings.Builder
	write(&b, reflect.ValueOf(v), 0)
	return b.String()
}

func write(b *strings.Builder, v reflect.Value, depth int) {
	if depth > 8 {
		b.WriteString("…")
		return
	}
	switch v.Kind() {
	case reflect.Invalid:
		b.WriteString("<nil>")
	case reflect.Interface:
		// An interface holds a dependency (a store, a logger, a
		// registry): a live object other goroutines change, so it is
		// printed by identity, not walked.
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer {
			fmt.Fprintf(b, "%s@%#x", e.Type(), e.Pointer())
			return
		}
		write(b, e, depth+1)
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString("&")
		write(b, v.Elem(), depth+1)
	case reflect.Struct:
		b.WriteString("{")
		for i := range v.NumField() {
			fmt.Fprintf(b, "%s:", v.Type().Field(i).Name)
			write(b, v.Field(i), depth+1)
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice, reflect.Array:
		b.WriteString("[")
		for i := range v.Len() {
			write(b, v.Index(i), depth+1)
			b.WriteString(" ")
		}
		b.WriteString("]")
	case reflect.Map:
		var kv []string
		for it := v.MapRange(); it.Next(); {
			var e strings.Builder
			write(&e, it.Key(), depth+1)
			e.WriteString("=")
			write(&e, it.Value(), depth+1)
			kv = append(kv, e.String())
		}
		sort.Strings(kv)
		fmt.Fprintf(b, "map%v", kv)
	case reflect.Func, reflect.Chan:
		fmt.Fprintf(b, "%s(set=%v)", v.Kind(), !v.IsNil())
	default:
		fmt.Fprint(b, v)
	}
}
