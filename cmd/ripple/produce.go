package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/spf13/cobra"

	"github.com/ripplestream/ripple/cmd/ripple/internal/progress"
	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/kafkaclient"
	"github.com/ripplestream/ripple/internal/linereader"
	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/schemas"
	"github.com/ripplestream/ripple/topology"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// kafkaFlags are the flags of the commands that talk to Kafka directly.
type kafkaFlags struct {
	brokers, version string
	sec              securityFlags
}

func (k *kafkaFlags) declare(cmd *cobra.Command) {
	cmd.Flags().StringVar(&k.brokers, "brokers", "", "Kafka bootstrap addresses, comma-separated (required; the local broker is 127.0.0.1:19092)")
	cmd.Flags().StringVar(&k.version, "kafka-version", "", "Kafka protocol version (default 4.0.0)")
	k.sec.declare(cmd.Flags())
}

// config returns the client configuration the flags give, checked.
func (k *kafkaFlags) config() (kafkaclient.Config, error) {
	if k.brokers == "" {
		return kafkaclient.Config{}, errors.New("--brokers is required (or RIPPLE_BROKERS), such as --brokers 127.0.0.1:19092")
	}
	kc := kafkaclient.Config{Brokers: strings.Split(k.brokers, ","), Security: k.sec.security()}
	if k.version != "" {
		v, err := sarama.ParseKafkaVersion(k.version)
		if err != nil {
			return kc, fmt.Errorf("--kafka-version: %w", err)
		}
		kc.Version = v
	}
	if err := kc.Validate(); err != nil {
		return kc, err
	}
	return kc.WithDefaults(), nil
}

// client returns a sarama client of the brokers, and checks that topic
// exists.
func (k *kafkaFlags) client(topic string, edit func(*sarama.Config)) (sarama.Client, error) {
	kc, err := k.config()
	if err != nil {
		return nil, err
	}
	sc := kc.Sarama()
	if edit != nil {
		edit(sc)
	}
	c, err := sarama.NewClient(kc.Brokers, sc)
	if kafkaclient.Refused(err) {
		return nil, fmt.Errorf("connecting to %s: %w", k.brokers, kc.Security.Explain(err))
	}
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w; is the broker running (deploy/local/kafka)?", k.brokers, err)
	}
	if _, err := c.Partitions(topic); err != nil {
		c.Close()
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return nil, fmt.Errorf("stream %q does not exist on %s; create it with `ripple topology plan --apply FILE` "+
				"for a topology that declares it", topic, k.brokers)
		}
		return nil, fmt.Errorf("partitions of %s: %w", topic, err)
	}
	return c, nil
}

type produceFlags struct {
	kafka                kafkaFlags
	file, keyField       string
	schema, topologyFile string
	schemaDirs           []string
	sampleField          string
}

func produceCmd() *cobra.Command {
	var f produceFlags
	const example = "ripple produce mediawiki.page_change.v1 changes.jsonl --key-field page.page_title --brokers 127.0.0.1:19092"
	cmd := &cobra.Command{
		Use:   "produce STREAM [FILE]",
		Short: "send JSON lines to a stream, each validated against its schema",
		Long: `Reads events as JSON lines (FILE, --file FILE, or stdin) and sends each to
the topic STREAM. Every event is validated against its schema first: the
schema title the stream declares in --topology, or --schema, or else the
schema its own $schema names, from ripple's schema repository (and
--schemas DIRs). With --key-field (a dotted path such as page.page_title)
each record is keyed by that field, so the events of one key go to one
partition, as ripple's jobs expect; several comma-separated paths key by
their values joined with ":" (changeprop's inputs are keyed
wiki_id:title: --key-field wiki_id,page.page_title).

A line that is not JSON, fails its schema, lacks the key field or is longer
than 16 MiB is reported on stderr with its line number, skipped and
counted; the lines around it are sent, and so is a line whose send fails
(reported the same way). On a terminal a progress bar shows how far it
got; at the end a summary, and an error if a line was bad.

When --topology gives the stream a sample (sample: {rate, unit}), only
the events of the sampled units are sent, decided as every producer of
the stream decides (streamconfig.Sampled, a hash of the unit id): the
unit id is the field --sample-field names, by default
performer.session_id for unit session and performer.pageview_id for
pageview, as the Metrics Platform's events carry them. Events left out
are counted in the summary, not reported; an event without the field is
bad.`,
		Example: "  " + example + "\n  ripple consume resource_change --from-beginning --brokers 127.0.0.1:19092 | ripple produce purges.copy --brokers 127.0.0.1:19092",
		Args:    exactArgs(example, "the STREAM", "[FILE]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				if cmd.Flags().Changed("file") && f.file != args[1] {
					return fmt.Errorf("give the input once: FILE %q or --file %q, not both", args[1], f.file)
				}
				f.file = args[1]
			}
			return produce(cmd.Context(), cmd.ErrOrStderr(), args[0], f)
		},
	}
	f.kafka.declare(cmd)
	fs := cmd.Flags()
	fs.StringVar(&f.file, "file", "-", "file of JSON lines, - for stdin (or give FILE)")
	fs.StringVar(&f.keyField, "key-field", "", "dotted path of the field whose value keys each record, such as page.page_title; several, comma-separated, join their values with \":\" (wiki_id,page.page_title) (default: no key)")
	fs.StringVar(&f.schema, "schema", "", "schema title every event must name, such as mediawiki/page/change (default: each event's $schema)")
	fs.StringVar(&f.topologyFile, "topology", "", "topology file declaring STREAM: its schema title is the one every event must name")
	fs.StringVar(&f.sampleField, "sample-field", "", "dotted path of the field holding the sampling unit's id, for a stream --topology samples (default: performer.session_id for unit session, performer.pageview_id for pageview)")
	fs.StringSliceVar(&f.schemaDirs, "schemas", nil, "more schema repositories (jsonschema/<title>/<version>.yaml), beside ripple's")
	return cmd
}

// produceSummary counts what produce did.
type produceSummary struct {
	lines, bad, blank int
	sampling          bool // the stream is sampled
	unsampled         int  // events of units not in the sample
	sent, failed      atomic.Int64
}

func (s *produceSummary) String() string {
	failed := ""
	if n := s.failed.Load(); n > 0 {
		failed = fmt.Sprintf(", %d not sent", n)
	}
	sampled := ""
	if s.sampling {
		sampled = fmt.Sprintf(", %d not in the sample (skipped)", s.unsampled)
	}
	return fmt.Sprintf("%d lines: %d sent%s, %d bad (skipped), %d blank%s", s.lines, s.sent.Load(), failed, s.bad, s.blank, sampled)
}

func produce(ctx context.Context, stderr io.Writer, stream string, f produceFlags) error {
	declared, err := f.declared(stream)
	if err != nil {
		return err
	}
	check, err := f.validator(stream, declared)
	if err != nil {
		return err
	}
	sample, err := f.sampler(stream, declared)
	if err != nil {
		return err
	}
	in, size, err := openInputSize(ctx, f.file)
	if err != nil {
		return err
	}
	defer in.Close()
	client, err := f.kafka.client(stream, func(sc *sarama.Config) {
		sc.Producer.Partitioner = sarama.NewHashPartitioner
		// Batches of up to 1 MiB after a linger of 5 ms, not goka's
		// 100 ms and 64 KiB: 25k page events went out in 0.9-1.7 s
		// instead of 2.0 (flush at once) or 5.1 (goka's).
		sc.Producer.Flush.Frequency, sc.Producer.Flush.Bytes = 5*time.Millisecond, 1<<20
	})
	if err != nil {
		return err
	}
	defer client.Close()
	producer, err := sarama.NewAsyncProducerFromClient(client)
	if err != nil {
		return fmt.Errorf("producer: %w", err)
	}
	sum := produceSummary{sampling: sample != nil}
	var mu sync.Mutex // stderr, written by the loop and the error reader
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, format, args...)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range producer.Successes() {
			sum.sent.Add(1)
		}
	}()
	go func() {
		defer wg.Done()
		for e := range producer.Errors() {
			sum.failed.Add(1)
			report("line %d: not sent: %v\n", e.Msg.Metadata, e.Err)
		}
	}()

	bar := progress.New(stderr, size, "produce "+stream, "bytes")
	err = produceLines(ctx, producer.Input(), &countingReader{r: in}, bar, stream, f, lineChecks{check, sample}, &sum, report)
	producer.AsyncClose() // sends what it holds, then closes Successes and Errors
	wg.Wait()
	bar.Done()
	fmt.Fprintf(stderr, "ripple produce %s: %v\n", stream, &sum)
	switch {
	case err != nil:
		return err
	case sum.failed.Load() > 0:
		return fmt.Errorf("%d lines were not sent (see the messages above; is the broker up?); the others were", sum.failed.Load())
	case sum.bad > 0:
		return fmt.Errorf("%d of %d lines were bad and skipped (see the messages above); the others were sent", sum.bad, sum.lines)
	}
	return nil
}

// produceLines reads the lines of in and sends each good one to input,
// until the end of in or ctx.
func produceLines(ctx context.Context, input chan<- *sarama.ProducerMessage, in *countingReader, bar *progress.Bar, stream string,
	f produceFlags, checks lineChecks, sum *produceSummary, report func(string, ...any)) error {
	lines := linereader.New(in, 0)
	for {
		line, num, err := lines.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil && !isTooLong(err) {
			return fmt.Errorf("reading after line %d: %w", num, err)
		}
		sum.lines = num
		var key sarama.Encoder
		if err == nil {
			if len(bytes.TrimSpace(line)) == 0 {
				sum.blank++
				continue
			}
			key, err = f.record(line, checks.schema)
		}
		sampled := true
		if err == nil && checks.sample != nil {
			sampled, err = checks.sample(line)
		}
		if err != nil {
			sum.bad++
			report("line %d: %v (skipped)\n", num, err)
			continue
		}
		if !sampled {
			sum.unsampled++
			continue
		}
		m := &sarama.ProducerMessage{Topic: stream, Key: key, Value: sarama.ByteEncoder(bytes.Clone(line)), Metadata: num}
		select {
		case input <- m:
		case <-ctx.Done():
			return fmt.Errorf("stopped at line %d: %w", num, ctx.Err())
		}
		if num%1024 == 0 {
			bar.Describe("produce %s: %d sent, %d bad", stream, sum.sent.Load(), sum.bad)
			bar.Set(in.n)
		}
	}
}

func isTooLong(err error) bool {
	var tl *linereader.TooLongError
	return errors.As(err, &tl)
}

// lineChecks are what produce asks of each line: that it passes its
// schema, and (when the stream is sampled) whether its unit is in the
// sample.
type lineChecks struct {
	schema func([]byte) error
	sample func([]byte) (bool, error) // nil: every event is sent
}

// declared returns the stream of --topology, or nil without --topology.
func (f produceFlags) declared(stream string) (*topology.Stream, error) {
	if f.topologyFile == "" {
		if f.sampleField != "" {
			return nil, errors.New("--sample-field needs --topology FILE, whose stream declares sample: {rate, unit}")
		}
		return nil, nil
	}
	t, err := loadTopology(f.topologyFile)
	if err != nil {
		return nil, err
	}
	s := t.Stream(processor.Stream(stream))
	if s == nil {
		return nil, fmt.Errorf("--topology %s declares no stream %q", f.topologyFile, stream)
	}
	return s, nil
}

// validator returns the check of every event of stream; declared is the
// stream as --topology declares it, or nil.
func (f produceFlags) validator(stream string, declared *topology.Stream) (func([]byte) error, error) {
	repo, err := openSchemas(f.schemaDirs)
	if err != nil {
		return nil, err
	}
	title := f.schema
	if declared != nil {
		switch {
		case title != "" && declared.Schema != "" && title != declared.Schema:
			return nil, fmt.Errorf("--schema %s, but --topology %s declares %s for %s", title, f.topologyFile, declared.Schema, stream)
		case declared.Schema != "":
			title = declared.Schema
		}
	}
	if title == "" {
		return repo.Validate, nil
	}
	if len(repo.Versions(title)) == 0 {
		return nil, fmt.Errorf("schema title %q is not in the schema repository; see ripple's schemas/ or give --schemas DIR", title)
	}
	v := event.Validated[json.RawMessage]{Schemas: repo, Title: title, What: "a " + title + " event"}
	return v.Check, nil
}

// sampler returns whether an event of the stream is in its sample, or nil
// when the stream (as declared, or nil) is not sampled.
func (f produceFlags) sampler(stream string, declared *topology.Stream) (func([]byte) (bool, error), error) {
	if declared == nil || declared.Settings.Sample == nil {
		if f.sampleField != "" {
			return nil, fmt.Errorf("--sample-field %s, but --topology %s declares no sample for %s", f.sampleField, f.topologyFile, stream)
		}
		return nil, nil
	}
	sample := *declared.Settings.Sample
	field := f.sampleField
	if field == "" {
		field = streamconfig.UnitField(sample.Unit)
	}
	if field == "" {
		return nil, fmt.Errorf("stream %s is sampled by %q: give --sample-field, the dotted path of the field holding its id", stream, sample.Unit)
	}
	return func(line []byte) (bool, error) {
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		var doc any
		if err := d.Decode(&doc); err != nil {
			return false, err
		}
		return streamconfig.SampledEvent(sample, field, doc)
	}, nil
}

// openSchemas opens ripple's schema repository with dirs laid over it:
// where a dir holds a version ripple ships too, the dir's wins.
func openSchemas(dirs []string) (*event.Repository, error) {
	var trees []fs.FS
	for _, d := range dirs {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--schemas %s: not a directory (want a schema repository, holding jsonschema/)", d)
		}
		trees = append(trees, os.DirFS(d))
	}
	trees = append(trees, schemas.FS())
	return event.OpenRepositoryFS(trees[0], trees[1:]...)
}

// record checks line and returns its key.
func (f produceFlags) record(line []byte, check func([]byte) error) (sarama.Encoder, error) {
	if err := check(line); err != nil {
		return nil, err
	}
	if f.keyField == "" {
		return nil, nil
	}
	key, err := keyOf(line, f.keyField)
	if err != nil {
		return nil, err
	}
	return sarama.StringEncoder(key), nil
}

// keyOf returns the key of a JSON object: the values at the comma-separated
// dotted paths, joined with ":".
func keyOf(doc []byte, paths string) (string, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	var parts []string
	for _, path := range strings.Split(paths, ",") {
		p, err := fieldString(v, strings.TrimSpace(path))
		if err != nil {
			return "", err
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ":"), nil
}

// fieldString returns the value at the dotted path of a decoded JSON
// object as a key: a string as it is, a number or boolean as JSON writes
// it.
func fieldString(v any, path string) (string, error) {
	for _, name := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("no key field %s: the value before %q is not an object", path, name)
		}
		if v, ok = obj[name]; !ok {
			return "", fmt.Errorf("no key field %s", path)
		}
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("key field %s is %s, not a string or number", path, jsonKind(v))
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}
