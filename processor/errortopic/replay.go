package errortopic

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"

	"github.com/ripplestream/ripple/processor"
)

// ReplayHeader is the header Replay adds to each record it sends: the
// error record it came from, as <topic>/<partition>/<offset>.
const ReplayHeader = "ripple-replayed-from"

// Filter selects error records; its zero value selects every record.
type Filter struct {
	// Reason, if not nil, selects the records whose reason matches it.
	Reason *regexp.Regexp
	// Stream, if set, selects the records of this input stream.
	Stream processor.Stream
}

// Match reports whether f selects r.
func (f Filter) Match(r processor.ErrorRecord) bool {
	return (f.Reason == nil || f.Reason.MatchString(r.Message)) && (f.Stream == "" || string(f.Stream) == r.ErroredStreamName)
}

func (f Filter) String() string {
	var s []string
	if f.Reason != nil {
		s = append(s, fmt.Sprintf("reason matching %q", f.Reason))
	}
	if f.Stream != "" {
		s = append(s, "stream "+string(f.Stream))
	}
	if len(s) == 0 {
		return "every record"
	}
	return strings.Join(s, " and ")
}

// ReplayOptions say what Replay sends.
type ReplayOptions struct {
	// Filter selects the records to send; Replay passes over the others.
	Filter Filter
	// DryRun sends nothing and commits no position: Sent is told what
	// would be sent.
	DryRun bool
	// FromBeginning reads the topic from its start instead of from the
	// replay position.
	FromBeginning bool
	// Sent, if not nil, is called with each record once the broker has
	// acknowledged it (in a dry run: each record that would be sent).
	Sent func(Entry)
	// Skipped, if not nil, is called with each selected record that
	// cannot be replayed; Entry.Err says why.
	Skipped func(Entry)
	// Progress, if not nil, is called after each batch.
	Progress func(Progress)
}

// Progress is how far a Replay got.
type Progress struct {
	// Read of Total records from the position to the end; Sent of them
	// sent.
	Read, Total int64
	Sent        int
}

// Result is what a Replay did.
type Result struct {
	DryRun bool `json:"dry_run"`
	// Read counts the records read; Sent those sent (in a dry run: that
	// would be sent); Passed those the filter did not select;
	// NotReplayable those selected but not replayable.
	Read          int `json:"read"`
	Sent          int `json:"sent"`
	Passed        int `json:"passed_over"`
	NotReplayable int `json:"not_replayable"`
	// ByStream counts the records sent to each input stream.
	ByStream map[string]int `json:"by_stream"`
}

func (r Result) String() string {
	verb := "sent"
	if r.DryRun {
		verb = "would send"
	}
	var per []string
	for s, n := range r.ByStream {
		per = append(per, fmt.Sprintf("%d to %s", n, s))
	}
	slices.Sort(per)
	s := fmt.Sprintf("read %d error records, %s %d", r.Read, verb, r.Sent)
	if len(per) > 0 {
		s += " (" + strings.Join(per, ", ") + ")"
	}
	return s + fmt.Sprintf(", passed over %d not matching, %d not replayable", r.Passed, r.NotReplayable)
}

// Replay sends the records of cfg's error topic that opts.Filter selects
// back to their input streams: each with its original key and bytes, to
// the partition it was read from (by key, as goka partitions, when the
// stream has fewer partitions now), with ReplayHeader. It reads from the
// replay position (cfg.Group) to the end of the topic as of the call, and
// after each batch of cfg.Batch records it waits for the broker to
// acknowledge what it sent, then commits the position after the batch.
//
// When ctx ends or sending fails, the batch under way is not committed: the
// next Replay reads it again, so its records that were sent are sent
// again (the job sees them twice, as with any at-least-once delivery).
func Replay(ctx context.Context, cfg Config, opts ReplayOptions) (Result, error) {
	res := Result{DryRun: opts.DryRun, ByStream: map[string]int{}}
	c, err := dial(cfg, func(sc *sarama.Config) {
		sc.Producer.Return.Successes = true
		sc.Producer.RequiredAcks = sarama.WaitForAll
		sc.Producer.Partitioner = sarama.NewManualPartitioner
		sc.Net.MaxOpenRequests = 1 // keep the order of each partition's records through retries
		// Send at once (goka's defaults wait up to 100 ms for more): a
		// batch is waited for as a whole, and records that arrive while a
		// request is in flight go in the next.
		sc.Producer.Flush.Frequency, sc.Producer.Flush.Bytes, sc.Producer.Flush.Messages = 0, 0, 0
	})
	if err != nil {
		return res, err
	}
	defer c.Close()
	r := &replayer{c: c, opts: opts, res: &res, streams: map[string]int32{}}
	if !opts.DryRun {
		if r.producer, err = sarama.NewSyncProducerFromClient(c.client); err != nil {
			return res, fmt.Errorf("errortopic: producer: %w", err)
		}
		defer r.producer.Close()
	}
	from := make([]int64, len(c.parts))
	for i, p := range c.parts {
		from[i] = p.committed
		if opts.FromBeginning || from[i] < 0 {
			from[i] = p.oldest
		}
		from[i] = max(from[i], p.oldest)
		r.progress.Total += max(p.end-from[i], 0)
	}
	for i, p := range c.parts {
		if err := r.partition(ctx, p, from[i]); err != nil {
			return res, err
		}
	}
	return res, nil
}

// replayer is one Replay under way.
type replayer struct {
	c        *conn
	opts     ReplayOptions
	producer sarama.SyncProducer
	res      *Result
	progress Progress
	streams  map[string]int32 // partitions of each input stream
}

// partition replays partition p from offset from.
func (r *replayer) partition(ctx context.Context, p part, from int64) error {
	var batch []Entry
	read, last := 0, int64(-1)
	flush := func() error {
		if last < 0 {
			return nil
		}
		if err := r.send(batch); err != nil {
			return err
		}
		// From the beginning, the position stays where it was until the
		// replay passes it: stopped midway, it must not make the next
		// replay send what an earlier one sent.
		if !r.opts.DryRun && last+1 > p.committed {
			if err := r.c.commit(p.id, last+1); err != nil {
				return err
			}
		}
		for _, e := range batch {
			r.res.ByStream[e.Record.ErroredStreamName]++
			if r.opts.Sent != nil {
				r.opts.Sent(e)
			}
		}
		r.res.Sent += len(batch)
		r.progress.Read += int64(read)
		r.progress.Sent = r.res.Sent
		if r.opts.Progress != nil {
			r.opts.Progress(r.progress)
		}
		batch, read, last = batch[:0], 0, -1
		return nil
	}
	err := r.c.read(ctx, p, from, func(m *sarama.ConsumerMessage) error {
		e := decode(m)
		r.res.Read++
		read++
		last = m.Offset
		switch {
		case !r.opts.Filter.Match(e.Record):
			r.res.Passed++
		case e.Err != nil:
			r.res.NotReplayable++
			if r.opts.Skipped != nil {
				r.opts.Skipped(e)
			}
		default:
			batch = append(batch, e)
		}
		if read >= r.c.cfg.Batch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// send sends batch and waits for the broker's acknowledgement; in a dry
// run it only checks where each record would go.
func (r *replayer) send(batch []Entry) error {
	msgs := make([]*sarama.ProducerMessage, 0, len(batch))
	for _, e := range batch {
		m, err := r.message(e)
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	if r.opts.DryRun || len(msgs) == 0 {
		return nil
	}
	if err := r.producer.SendMessages(msgs); err != nil {
		var perrs sarama.ProducerErrors
		if errors.As(err, &perrs) && len(perrs) > 0 {
			err = fmt.Errorf("%d of %d records not acknowledged, first: %w", len(perrs), len(msgs), perrs[0].Err)
		}
		return fmt.Errorf("errortopic: sending records of %s from offset %d of partition %d: %w; "+
			"the position was not moved past them: rerun when the broker is back (what was sent of this batch is sent again)",
			r.c.cfg.Topic(), batch[0].Offset, batch[0].Partition, err)
	}
	return nil
}

// message returns the record that sends e back to its input stream.
func (r *replayer) message(e Entry) (*sarama.ProducerMessage, error) {
	stream := e.Record.ErroredStreamName
	at := fmt.Sprintf("%s/%d/%d", r.c.cfg.Topic(), e.Partition, e.Offset)
	if stream == "" || stream == r.c.cfg.Topic() {
		return nil, fmt.Errorf("errortopic: error record %s names no input stream (%q); leave it out with a stream filter (--stream)", at, stream)
	}
	n, ok := r.streams[stream]
	if !ok {
		ids, err := r.c.client.Partitions(stream)
		if err != nil || len(ids) == 0 {
			return nil, fmt.Errorf("errortopic: input stream %s of error record %s: %v; create the stream, or leave its records out with a stream filter (--stream)",
				stream, at, orElse(err, "no partitions"))
		}
		n = int32(len(ids))
		r.streams[stream] = n
	}
	m := &sarama.ProducerMessage{Topic: stream, Key: sarama.StringEncoder(e.Record.Key), Value: sarama.ByteEncoder(e.Event),
		Headers: []sarama.RecordHeader{{Key: []byte(ReplayHeader), Value: []byte(at)}}}
	m.Partition = e.Record.Partition
	if m.Partition < 0 || m.Partition >= n {
		p, err := sarama.NewCustomHashPartitioner(goka.DefaultHasher())(stream).Partition(m, n)
		if err != nil {
			return nil, fmt.Errorf("errortopic: partition of key %q in %s: %w", e.Record.Key, stream, err)
		}
		m.Partition = p
	}
	return m, nil
}

// orElse returns err's message, or alt when err is nil.
func orElse(err error, alt string) string {
	if err != nil {
		return err.Error()
	}
	return alt
}
