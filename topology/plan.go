package topology

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/processor"
)

// Topic is one topic of a Plan: a stream of the topology as Kafka sees it.
type Topic struct {
	Name        string
	Partitions  int
	Replication int // 0: the broker's default
	Config      map[string]string
}

// Plan is the topics a topology needs, in file order. The jobs create
// their own internal topics (state changelogs, retry, error and loopback
// topics) with the partitions of their inputs when they start.
type Plan []Topic

// Plan returns the topics of t's streams.
func (t *Topology) Plan() Plan {
	var p Plan
	for _, s := range t.Streams {
		cfg := map[string]string{}
		if s.Compact {
			cfg["cleanup.policy"] = "compact"
		}
		if s.Retention > 0 {
			cfg["retention.ms"] = strconv.FormatInt(s.Retention.Milliseconds(), 10)
		}
		p = append(p, Topic{Name: string(s.Name), Partitions: s.Partitions, Replication: s.Replication, Config: cfg})
	}
	return p
}

// Write prints the plan, one topic a line.
func (p Plan) Write(w io.Writer) error {
	for _, t := range p {
		var cfg []string
		for k, v := range t.Config {
			cfg = append(cfg, k+"="+v)
		}
		sort.Strings(cfg)
		repl := "default"
		if t.Replication > 0 {
			repl = strconv.Itoa(t.Replication)
		}
		if _, err := fmt.Fprintf(w, "topic %s partitions=%d replication=%s %s\n", t.Name, t.Partitions, repl, strings.Join(cfg, " ")); err != nil {
			return err
		}
	}
	return nil
}

// Applied says what Apply did with one topic.
type Applied struct {
	Topic   string
	Created bool // false: it existed with the planned partitions
}

// ErrPartitions is wrapped by Apply's error for a topic that exists with
// other partitions than planned: Apply never changes a topic, since more
// partitions would move keys to other partitions.
var ErrPartitions = errors.New("topology: topic exists with other partitions")

// Apply creates the plan's topics that do not exist on the brokers of
// cfg (reached with its KafkaVersion and Security), and checks the
// partitions of those that do. A topic with no replication of its own
// gets cfg.Replication (0 means 1, for a single local broker).
func (p Plan) Apply(ctx context.Context, cfg processor.Config) ([]Applied, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	kc := cfg.KafkaClient("ripple-topology")
	brokers := kc.Brokers
	admin, err := sarama.NewClusterAdmin(kc.Brokers, kc.Sarama())
	if err != nil {
		return nil, fmt.Errorf("topology: connecting to Kafka at %v: %w", brokers, kc.Security.Explain(err))
	}
	defer admin.Close()
	existing, err := admin.ListTopics()
	if err != nil {
		return nil, fmt.Errorf("topology: listing topics on %v: %w", brokers, err)
	}
	var out []Applied
	for _, t := range p {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if d, ok := existing[t.Name]; ok {
			if int(d.NumPartitions) != t.Partitions {
				return out, fmt.Errorf("%w: %s has %d partitions, the plan %d; change the topology or move to a new topic",
					ErrPartitions, t.Name, d.NumPartitions, t.Partitions)
			}
			out = append(out, Applied{Topic: t.Name})
			continue
		}
		repl := t.Replication
		if repl == 0 {
			repl = kc.Replication
		}
		detail := &sarama.TopicDetail{NumPartitions: int32(t.Partitions), ReplicationFactor: int16(repl), ConfigEntries: map[string]*string{}}
		for k, v := range t.Config {
			detail.ConfigEntries[k] = &v
		}
		err := admin.CreateTopic(t.Name, detail, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return out, fmt.Errorf("topology: creating topic %s: %w", t.Name, err)
		}
		out = append(out, Applied{Topic: t.Name, Created: err == nil})
	}
	return out, nil
}
