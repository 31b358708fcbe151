package parquet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/jobs/sink"
)

// Keys of the key-value metadata of every file.
const (
	MetaSchema    = "ripple.schema"    // the URI of the schema the columns come from
	MetaTopic     = "ripple.topic"     // the Kafka topic of the rows
	MetaPartition = "ripple.partition" // its partition
	MetaOffsets   = "ripple.offsets"   // first-last: the offsets of the batch this file is (a part of)
	MetaPart      = "ripple.part"      // i/n: which of the batch's files this is
)

// ErrClosed is returned by the methods of a closed Store.
var ErrClosed = errors.New("parquet: store closed")

// Store writes a stream's events to Parquet files partitioned by hour,
// readable by DuckDB, Spark or any Parquet reader with Hive partitioning.
// It is a sink.Store: exactly-once, it resumes from the offsets its files'
// names carry.
type Store struct {
	cfg    Config
	schema *Schema
	codec  compress.Codec
	title  string // the schema's

	mu struct {
		sync.Mutex
		closed bool
	}
}

var _ sink.Store = (*Store)(nil)

// Open checks cfg, maps its schema to Parquet and makes its Dir.
func Open(cfg Config) (*Store, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	compiled, err := cfg.Repository.Schema(cfg.Schema)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	doc, err := cfg.Repository.Document(compiled.URI())
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	schema, err := MapSchema(compiled.URI(), doc)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	for _, c := range schema.JSONColumns() {
		cfg.Logger.Info("parquet: a field without a Parquet type is written as JSON text", "schema", schema.URI(), "field", c.Path, "reason", c.Reason)
	}
	return &Store{cfg: cfg, schema: schema, codec: codecs[cfg.Compression], title: compiled.Title()}, nil
}

var codecs = map[string]compress.Codec{
	"none":   &pq.Uncompressed,
	"snappy": &pq.Snappy,
	"gzip":   &pq.Gzip,
	"zstd":   &pq.Zstd,
}

// Schema returns the Parquet mapping of the store's schema.
func (s *Store) Schema() *Schema { return s.schema }

// Offsets returns the offset after the last written batch of each partition
// of topic. It removes what a crash left: temporary files and the files of
// a batch cut short between its renames.
func (s *Store) Offsets(ctx context.Context, topic string) (map[int32]int64, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	next, err := recoverOffsets(filepath.Join(s.cfg.Dir, topic))
	if err != nil {
		return nil, fmt.Errorf("parquet: offsets of %s: %w", topic, err)
	}
	return next, nil
}

func (s *Store) check(ctx context.Context) error {
	s.mu.Lock()
	closed := s.mu.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return ctx.Err()
}

// converted is a record made a row, with the hour it is filed under.
type converted struct {
	rec  sink.Record
	hour string
	row  pq.Row
}

// Write writes b: per partition, one file for each hour its events fall in,
// then the renames that make them visible. Records that are not events of
// the schema's title, fail validation, do not fit the columns or have no
// time in TimeFields are *sink.Invalid, and then nothing is written.
func (s *Store) Write(ctx context.Context, b sink.Batch) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	rows, err := s.convert(b.Records)
	if err != nil {
		return err
	}
	byPartition := map[int32][]converted{}
	for _, c := range rows {
		if _, ok := b.Next[c.rec.Partition]; !ok {
			return fmt.Errorf("parquet: batch of %s has a record of partition %d but no Next offset for it", b.Topic, c.rec.Partition)
		}
		byPartition[c.rec.Partition] = append(byPartition[c.rec.Partition], c)
	}
	var files []pendingFile
	defer func() {
		for _, f := range files {
			os.Remove(f.temp) // those not renamed; an error is a file already gone
		}
	}()
	topicDir := filepath.Join(s.cfg.Dir, b.Topic)
	for _, p := range slices.Sorted(maps.Keys(b.Next)) {
		last := b.Next[p] - 1
		recs := byPartition[p]
		if len(recs) == 0 {
			f, err := s.marker(topicDir, p, last)
			if err != nil {
				return err
			}
			files = append(files, f)
			continue
		}
		fs, err := s.partitionFiles(ctx, topicDir, b.Topic, p, recs, last)
		files = append(files, fs...)
		if err != nil {
			return err
		}
	}
	return s.commit(files)
}

// convert makes the records rows, or returns every invalid one.
func (s *Store) convert(recs []sink.Record) ([]converted, error) {
	out := make([]converted, 0, len(recs))
	var invalid []error
	for _, rec := range recs {
		c, err := s.convertOne(rec)
		if err != nil {
			invalid = append(invalid, &sink.Invalid{Record: rec, Err: err})
			continue
		}
		out = append(out, c)
	}
	if len(invalid) > 0 {
		return nil, errors.Join(invalid...)
	}
	return out, nil
}

func (s *Store) convertOne(rec sink.Record) (converted, error) {
	doc, err := decodeEvent(rec.Value)
	if err != nil {
		return converted{}, err
	}
	uri, _ := doc["$schema"].(string)
	if title, _, err := event.ParseSchemaURI(uri); err != nil || title != s.title {
		return converted{}, fmt.Errorf("$schema %q is not of title %s, whose events this sink writes", uri, s.title)
	}
	if err := s.cfg.Repository.Validate(rec.Value); err != nil {
		return converted{}, err
	}
	t, err := s.eventTime(doc)
	if err != nil {
		return converted{}, err
	}
	row, err := s.schema.Row(doc)
	if err != nil {
		return converted{}, err
	}
	return converted{rec: rec, hour: hourDir(t), row: row}, nil
}

// eventTime returns the time of the first of TimeFields in doc.
func (s *Store) eventTime(doc map[string]any) (time.Time, error) {
	for _, path := range s.cfg.TimeFields {
		var v any = doc
		for _, name := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[name]
		}
		str, ok := v.(string)
		if !ok {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return time.Time{}, &FieldError{Path: "/" + strings.ReplaceAll(path, ".", "/"), Reason: fmt.Sprintf("want an RFC 3339 date-time, have %q", str)}
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("parquet: no event time: none of %s is a date-time string", strings.Join(s.cfg.TimeFields, ", "))
}

// pendingFile is a file written under its temporary name, to be renamed.
type pendingFile struct{ temp, final string }

// partitionFiles writes the files of one partition of a batch, one per
// hour, in the order the hours first appear.
func (s *Store) partitionFiles(ctx context.Context, topicDir, topic string, p int32, recs []converted, last int64) ([]pendingFile, error) {
	var hours []string
	byHour := map[string][]pq.Row{}
	for _, c := range recs {
		if byHour[c.hour] == nil {
			hours = append(hours, c.hour)
		}
		byHour[c.hour] = append(byHour[c.hour], c.row)
	}
	first := recs[0].rec.Offset
	var out []pendingFile
	for i, h := range hours {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		dir := filepath.Join(topicDir, h)
		name := fileName(p, first, last, i+1, len(hours))
		f, err := s.writeFile(dir, name, byHour[h], []string{
			MetaSchema, s.schema.URI(),
			MetaTopic, topic,
			MetaPartition, strconv.Itoa(int(p)),
			MetaOffsets, fmt.Sprintf("%d-%d", first, last),
			MetaPart, fmt.Sprintf("%d/%d", i+1, len(hours)),
		})
		if err != nil {
			return out, fmt.Errorf("parquet: write %s/%s: %w", dir, name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// writeFile writes rows to a temporary file in dir, synced.
func (s *Store) writeFile(dir, name string, rows []pq.Row, meta []string) (pendingFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return pendingFile{}, err
	}
	file, err := os.CreateTemp(dir, tempPrefix+name+".*")
	if err != nil {
		return pendingFile{}, err
	}
	pf := pendingFile{temp: file.Name(), final: filepath.Join(dir, name)}
	buf := bufio.NewWriterSize(file, 256<<10)
	opts := []pq.WriterOption{s.schema.Parquet(), pq.Compression(s.codec)}
	for i := 0; i < len(meta); i += 2 {
		opts = append(opts, pq.KeyValueMetadata(meta[i], meta[i+1]))
	}
	w := pq.NewWriter(buf, opts...)
	_, err = w.WriteRows(rows)
	if err == nil {
		err = w.Close()
	}
	if err == nil {
		err = buf.Flush()
	}
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	return pf, err
}

// marker writes the temporary _offsets marker of a partition of a batch
// with no row.
func (s *Store) marker(topicDir string, p int32, last int64) (pendingFile, error) {
	dir := filepath.Join(topicDir, offsetsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return pendingFile{}, fmt.Errorf("parquet: %w", err)
	}
	name := fmt.Sprintf("%s%d-%d", partPrefix, p, last)
	f, err := os.CreateTemp(dir, tempPrefix+name+".*")
	if err != nil {
		return pendingFile{}, fmt.Errorf("parquet: %w", err)
	}
	if err := f.Close(); err != nil {
		return pendingFile{}, fmt.Errorf("parquet: %w", err)
	}
	return pendingFile{temp: f.Name(), final: filepath.Join(dir, name)}, nil
}

// commit renames the batch's files into place, syncing their directories.
// A crash between two renames leaves a batch with fewer than its n files,
// which Offsets removes; a failed rename removes those done, so that a
// failed Write has written nothing.
func (s *Store) commit(files []pendingFile) error {
	dirs := map[string]bool{}
	for i, f := range files {
		if err := os.Rename(f.temp, f.final); err != nil {
			for _, done := range files[:i] {
				os.Remove(done.final)
			}
			return fmt.Errorf("parquet: %w", err)
		}
		files[i].temp = "" // renamed: the deferred cleanup must not touch it
		dirs[filepath.Dir(f.final)] = true
	}
	for dir := range dirs {
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
	}
	s.pruneMarkers(files)
	return nil
}

// pruneMarkers removes the markers a newer batch of their partition
// supersedes: only the newest tells an offset the data files do not.
func (s *Store) pruneMarkers(files []pendingFile) {
	for _, f := range files {
		if filepath.Base(filepath.Dir(f.final)) != offsetsDir {
			continue
		}
		p, last, _ := parseMarkerName(filepath.Base(f.final))
		old, _ := filepath.Glob(filepath.Join(filepath.Dir(f.final), fmt.Sprintf("%s%d-*", partPrefix, p)))
		for _, o := range old {
			if op, olast, ok := parseMarkerName(filepath.Base(o)); ok && op == p && olast < last {
				os.Remove(o)
			}
		}
	}
}

// Close closes the store; it is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	s.mu.closed = true
	s.mu.Unlock()
	return nil
}
