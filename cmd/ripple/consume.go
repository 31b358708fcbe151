package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/spf13/cobra"
)

type consumeFlags struct {
	kafka         kafkaFlags
	fromBeginning bool
	offset        int64
	since         string
	partition     int32
	max           int
	follow        bool
	timeout       time.Duration
	meta          bool
}

func consumeCmd() *cobra.Command {
	f := consumeFlags{offset: -1, partition: -1}
	const example = "ripple consume resource_change --from-beginning --brokers 127.0.0.1:19092"
	cmd := &cobra.Command{
		Use:   "consume STREAM",
		Short: "print a stream's records as JSON lines, from a time or an offset",
		Long: `Prints the records of the topic STREAM on stdout, one JSON line each: the
event itself (compacted to one line; a value that is not JSON as a JSON
string), or with --meta an object of partition, offset, key, timestamp and
value.

Where it starts, in every partition (or --partition): --from-beginning,
--offset N, or --since a time (RFC 3339, or a duration before now such as
10m). Without them it starts at the beginning, or with --follow at the end.
It stops at the end the stream had when it started, or with --follow goes
on waiting for new records; --max N stops after N records and --timeout D
after D (an error if --max records had not come by then). Ctrl-C stops it.`,
		Example: "  " + example + "\n" +
			"  ripple consume mediawiki.page_change.v1 --since 10m --meta --brokers 127.0.0.1:19092\n" +
			"  ripple consume resource_change --follow --max 10 --timeout 1m --brokers 127.0.0.1:19092",
		Args: exactArgs(example, "the STREAM"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return consume(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], f,
				cmd.Flags().Changed("offset"), cmd.Flags().Changed("partition"))
		},
	}
	f.kafka.declare(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&f.fromBeginning, "from-beginning", false, "start at the oldest record")
	fs.Int64Var(&f.offset, "offset", -1, "start at this offset (at the oldest one kept when it is gone; -1: not given, see above)")
	fs.StringVar(&f.since, "since", "", "start at the first record at or after this time: RFC 3339 (2026-12-01T10:00:00Z) or a duration before now (10m)")
	fs.Int32Var(&f.partition, "partition", -1, "read only this partition (-1: every partition)")
	fs.IntVar(&f.max, "max", 0, "stop after this many records (0: no limit)")
	fs.BoolVar(&f.follow, "follow", false, "wait for new records after the end instead of stopping there")
	fs.DurationVar(&f.timeout, "timeout", 0, "stop after this long (0: no limit)")
	fs.BoolVar(&f.meta, "meta", false, "print partition, offset, key and timestamp with each value")
	return cmd
}

// start returns the offset to start a partition at, as sarama names it
// (OffsetOldest, OffsetNewest) or absolute.
func (f consumeFlags) start(offsetSet bool) (func(c sarama.Client, topic string, p int32) (int64, error), error) {
	n := 0
	for _, set := range []bool{f.fromBeginning, offsetSet, f.since != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("give one of --from-beginning, --offset and --since")
	}
	switch {
	case offsetSet:
		if f.offset < 0 {
			return nil, fmt.Errorf("--offset %d: want 0 or more", f.offset)
		}
		return func(c sarama.Client, topic string, p int32) (int64, error) {
			oldest, err := c.GetOffset(topic, p, sarama.OffsetOldest)
			if err != nil {
				return 0, err
			}
			newest, err := c.GetOffset(topic, p, sarama.OffsetNewest)
			return min(max(f.offset, oldest), newest), err
		}, nil
	case f.since != "":
		at, err := parseSince(f.since, time.Now())
		if err != nil {
			return nil, err
		}
		return func(c sarama.Client, topic string, p int32) (int64, error) {
			off, err := c.GetOffset(topic, p, at.UnixMilli())
			if err == nil && off < 0 { // no record that late
				return c.GetOffset(topic, p, sarama.OffsetNewest)
			}
			return off, err
		}, nil
	}
	from := sarama.OffsetOldest
	if f.follow && !f.fromBeginning {
		from = sarama.OffsetNewest
	}
	return func(c sarama.Client, topic string, p int32) (int64, error) { return c.GetOffset(topic, p, from) }, nil
}

// parseSince reads --since: an RFC 3339 time or a duration before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("--since %q: want an RFC 3339 time (2026-12-01T10:00:00Z) or a duration before now (10m)", s)
	}
	return now.Add(-d), nil
}

func consume(ctx context.Context, stdout, stderr io.Writer, stream string, f consumeFlags, offsetSet, partitionSet bool) error {
	startAt, err := f.start(offsetSet)
	if err != nil {
		return err
	}
	if f.max < 0 {
		return fmt.Errorf("--max %d: want 0 (no limit) or more", f.max)
	}
	client, err := f.kafka.client(stream, nil)
	if err != nil {
		return err
	}
	defer client.Close()
	parts, err := client.Partitions(stream)
	if err != nil {
		return err
	}
	if partitionSet {
		if f.partition < 0 || int(f.partition) >= len(parts) {
			return fmt.Errorf("--partition %d: %s has partitions 0 to %d", f.partition, stream, len(parts)-1)
		}
		parts = []int32{f.partition}
	}
	if f.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.timeout)
		defer cancel()
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return err
	}
	defer consumer.Close()

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	msgs := make(chan *sarama.ConsumerMessage)
	errs := make(chan error, len(parts))
	var wg sync.WaitGroup
	for _, p := range parts {
		from, err := startAt(client, stream, p)
		if err != nil {
			stop()
			wg.Wait()
			return fmt.Errorf("start offset of %s/%d: %w", stream, p, err)
		}
		end := int64(-1) // read on
		if !f.follow {
			if end, err = client.GetOffset(stream, p, sarama.OffsetNewest); err != nil {
				stop()
				wg.Wait()
				return fmt.Errorf("end of %s/%d: %w", stream, p, err)
			}
			if from >= end {
				continue
			}
		}
		pc, err := consumer.ConsumePartition(stream, p, from)
		if err != nil {
			stop()
			wg.Wait()
			return fmt.Errorf("reading %s/%d from offset %d: %w", stream, p, from, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- readPartition(ctx, pc, end, msgs)
		}()
	}
	go func() {
		wg.Wait()
		close(msgs)
	}()

	out := bufio.NewWriter(stdout)
	n := 0
	for m := range msgs {
		if f.max == 0 || n < f.max {
			if err := writeRecord(out, m, f.meta); err != nil {
				stop()
				continue // drain until every reader is done
			}
			n++
		}
		if n == f.max || f.follow || out.Buffered() > 32<<10 {
			if err := out.Flush(); err != nil {
				stop()
			}
		}
		if n == f.max {
			stop()
		}
	}
	close(errs)
	ferr := out.Flush()
	for err := range errs {
		if err != nil && ferr == nil {
			ferr = err
		}
	}
	fmt.Fprintf(stderr, "ripple consume %s: %d records\n", stream, n)
	switch {
	case ferr != nil:
		return ferr
	case f.max > 0 && n < f.max && errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		return fmt.Errorf("--timeout %v passed with %d of the --max %d records", f.timeout, n, f.max)
	}
	return nil
}

// readPartition sends the messages of pc to msgs until offset end (-1:
// no end) or ctx's end, and closes pc.
func readPartition(ctx context.Context, pc sarama.PartitionConsumer, end int64, msgs chan<- *sarama.ConsumerMessage) error {
	defer pc.AsyncClose()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-pc.Errors():
			if err != nil {
				return err
			}
		case m := <-pc.Messages():
			select {
			case msgs <- m:
			case <-ctx.Done():
				return nil
			}
			if end >= 0 && m.Offset+1 >= end {
				return nil
			}
		}
	}
}

// consumedRecord is a record as --meta prints it.
type consumedRecord struct {
	Partition int32           `json:"partition"`
	Offset    int64           `json:"offset"`
	Key       *string         `json:"key"`
	Timestamp time.Time       `json:"timestamp"`
	Value     json.RawMessage `json:"value"`
}

// writeRecord writes the value of m as one JSON line, or with meta the
// record.
func writeRecord(w *bufio.Writer, m *sarama.ConsumerMessage, meta bool) error {
	value := oneJSONLine(m.Value)
	if meta {
		r := consumedRecord{Partition: m.Partition, Offset: m.Offset, Timestamp: m.Timestamp.UTC(), Value: value}
		if m.Key != nil {
			k := string(m.Key)
			r.Key = &k
		}
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		value = b
	}
	w.Write(value)
	return w.WriteByte('\n')
}

// oneJSONLine returns v compacted to one line when it is JSON, and as a
// JSON string otherwise (null for no value).
func oneJSONLine(v []byte) []byte {
	if v == nil {
		return []byte("null")
	}
	var b bytes.Buffer
	if json.Compact(&b, v) == nil {
		return b.Bytes()
	}
	s, _ := json.Marshal(string(v))
	return s
}
