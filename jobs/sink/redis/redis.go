package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/configerr"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/jobs/sink"
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate; it matches
// every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("sink/redis")

// Config says where a sink writes and how an event becomes a value.
type Config struct {
	// Name is the sink's name (sink.Config.Name): it names the offsets
	// hash. Required.
	Name string
	// Addr is the server's host:port (deploy/local/redis starts one on
	// 127.0.0.1:16379). Required.
	Addr string
	// Username and Password authenticate (Redis ACLs); DB selects the
	// database. Password never prints.
	Username string
	Password kafkaclient.Secret
	DB       int
	// KeyPointer is the JSON pointer of the event field that is the key (a
	// string or number), such as /meta/id. Default "": the record's
	// Kafka key.
	KeyPointer string
	// KeyPrefix is put before every key, such as "edits:".
	KeyPrefix string
	// ValuePointer is the JSON pointer of the field stored as the value: a
	// string as it is, anything else as its JSON. Default "": the whole
	// event, byte for byte.
	ValuePointer string
	// TTL is how long a value lives after its last write. Zero keeps it
	// until it is overwritten.
	TTL time.Duration
	// OffsetsKey is the key of the hash of the sink's offsets. It must lie
	// outside KeyPrefix, where the values are, so no record can overwrite
	// it. Default DefaultOffsetsKey(Name).
	OffsetsKey string
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults.
func (c Config) WithDefaults() Config {
	if c.OffsetsKey == "" && c.Name != "" {
		c.OffsetsKey = DefaultOffsetsKey(c.Name)
	}
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.Name == "":
		return fmt.Errorf("%w: no sink name: set Name to the sink's (it names the offsets hash)", ErrInvalidConfig)
	case c.Addr == "":
		return fmt.Errorf("%w: sink %s: no Redis address (the local test server is 127.0.0.1:16379, started by deploy/local/redis up)", ErrInvalidConfig, c.Name)
	case c.KeyPointer != "" && !strings.HasPrefix(c.KeyPointer, "/"):
		return fmt.Errorf("%w: sink %s: KeyPointer %q is not a JSON pointer (such as /meta/id)", ErrInvalidConfig, c.Name, c.KeyPointer)
	case c.ValuePointer != "" && !strings.HasPrefix(c.ValuePointer, "/"):
		return fmt.Errorf("%w: sink %s: ValuePointer %q is not a JSON pointer (such as /page)", ErrInvalidConfig, c.Name, c.ValuePointer)
	case c.TTL < 0 || (c.TTL > 0 && c.TTL < time.Millisecond):
		return fmt.Errorf("%w: sink %s: TTL %v: want 0 (no expiry) or at least 1ms", ErrInvalidConfig, c.Name, c.TTL)
	case c.DB < 0:
		return fmt.Errorf("%w: sink %s: DB %d must not be negative", ErrInvalidConfig, c.Name, c.DB)
	case c.KeyPrefix != "" && strings.HasPrefix(c.OffsetsKey, c.KeyPrefix):
		// A record keyed by the rest of the offsets key would overwrite
		// the offsets with a value, or fail every batch on the hash.
		return fmt.Errorf("%w: sink %s: the offsets key %q lies among the values' keys (KeyPrefix %q): a record keyed %q would overwrite it; set OffsetsKey to a key outside %q*, or another KeyPrefix",
			ErrInvalidConfig, c.Name, c.OffsetsKey, c.KeyPrefix, strings.TrimPrefix(c.OffsetsKey, c.KeyPrefix), c.KeyPrefix)
	}
	return nil
}

// DefaultOffsetsKey returns the default key of the hash of a sink's
// offsets, ripple:sink:<name>:offsets.
func DefaultOffsetsKey(sinkName string) string { return "ripple:sink:" + sinkName + ":offsets" }

// Store is a sink.Store on Redis. Open makes one.
type Store struct {
	cfg    Config
	client *goredis.Client
}

var _ sink.Store = (*Store)(nil)

// Open checks cfg and connects; it fails when the server does not answer
// PING.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	cl := goredis.NewClient(&goredis.Options{Addr: cfg.Addr, Username: cfg.Username, Password: string(cfg.Password), DB: cfg.DB})
	if err := cl.Ping(ctx).Err(); err != nil {
		cl.Close()
		return nil, fmt.Errorf("sink/redis: sink %s: %s does not answer: %w", cfg.Name, cfg.Addr, err)
	}
	return &Store{cfg: cfg, client: cl}, nil
}

// Offsets returns the sink's offsets of topic.
func (s *Store) Offsets(ctx context.Context, topic string) (map[int32]int64, error) {
	all, err := s.client.HGetAll(ctx, s.cfg.OffsetsKey).Result()
	if err != nil {
		return nil, fmt.Errorf("sink/redis: sink %s: reading offsets: %w", s.cfg.Name, err)
	}
	out := map[int32]int64{}
	for f, v := range all {
		i := strings.LastIndexByte(f, '/') // <topic>/<partition>
		if i < 0 || f[:i] != topic {
			continue
		}
		ps := f[i+1:]
		p, err1 := strconv.ParseInt(ps, 10, 32)
		o, err2 := strconv.ParseInt(v, 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("sink/redis: sink %s: offsets hash %s: field %q = %q is not partition = offset", s.cfg.Name, s.cfg.OffsetsKey, f, v)
		}
		out[int32(p)] = o
	}
	return out, nil
}

// Write sets the last value of each key of b and b's offsets in one
// MULTI/EXEC transaction. It rejects the records without a key or value,
// writing nothing then.
func (s *Store) Write(ctx context.Context, b sink.Batch) error {
	type kv struct{ key, value string }
	var invalid []error
	var sets []kv
	at := map[string]int{}
	for _, rec := range b.Records {
		k, v, inv := s.entry(rec)
		if inv != nil {
			invalid = append(invalid, inv)
			continue
		}
		if i, ok := at[k]; ok {
			sets[i].value = v
			continue
		}
		at[k] = len(sets)
		sets = append(sets, kv{k, v})
	}
	if len(invalid) > 0 {
		return errors.Join(invalid...)
	}
	offsets := make([]any, 0, 2*len(b.Next))
	for p, o := range b.Next {
		offsets = append(offsets, b.Topic+"/"+strconv.Itoa(int(p)), o)
	}
	_, err := s.client.TxPipelined(ctx, func(tx goredis.Pipeliner) error {
		for _, e := range sets {
			tx.Set(ctx, e.key, e.value, s.cfg.TTL)
		}
		if len(offsets) > 0 {
			tx.HSet(ctx, s.cfg.OffsetsKey, offsets...)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sink/redis: sink %s: writing %d keys: %w", s.cfg.Name, len(sets), err)
	}
	return nil
}

// entry returns the key and value of rec, or rejects it.
func (s *Store) entry(rec sink.Record) (key, value string, inv *sink.Invalid) {
	key, value = string(rec.Key), string(rec.Value)
	if s.cfg.KeyPointer != "" || s.cfg.ValuePointer != "" {
		doc, err := sink.DecodeJSON(rec.Value)
		if err != nil {
			return "", "", sink.Reject(rec, "%v", err)
		}
		if s.cfg.KeyPointer != "" {
			if key, err = sink.KeyAt(doc, s.cfg.KeyPointer); err != nil {
				return "", "", sink.Reject(rec, "%v", err)
			}
		}
		if s.cfg.ValuePointer != "" {
			v, err := event.FollowPointer(doc, s.cfg.ValuePointer)
			if err != nil {
				return "", "", sink.Reject(rec, "no value at %s: %v", s.cfg.ValuePointer, err)
			}
			if str, ok := v.(string); ok {
				value = str
			} else {
				b, _ := json.Marshal(v) // decoded JSON: cannot fail
				value = string(b)
			}
		}
	}
	if key == "" {
		return "", "", sink.Reject(rec, "empty key")
	}
	// Without KeyPrefix the values' keys are the records' own, and one
	// could be the offsets hash's.
	if key = s.cfg.KeyPrefix + key; key == s.cfg.OffsetsKey {
		return "", "", sink.Reject(rec, "the key %q is the sink's offsets key: set KeyPrefix to keep the values apart from it", key)
	}
	return key, value, nil
}

// OffsetsKey returns the key of the hash of the store's offsets.
func (s *Store) OffsetsKey() string { return s.cfg.OffsetsKey }

// Client returns the store's Redis client, for tests and tools that read
// what the sink wrote.
func (s *Store) Client() *goredis.Client { return s.client }

// Close closes the connections.
func (s *Store) Close() error { return s.client.Close() }
