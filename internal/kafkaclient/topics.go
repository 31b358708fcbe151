package kafkaclient

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
)

const (
	// createWait bounds the wait for a created topic to show up in the
	// broker's metadata. goka's default CreateTopicTimeout is 10 s, but a
	// broker under load took longer (a job then stopped at its start,
	// its topic created all the same): a created topic does show up, so
	// waiting longer costs nothing when all is well.
	createWait = time.Minute
	// createPoll is how often the metadata is asked meanwhile.
	createPoll = 20 * time.Millisecond
)

// topicManager is goka's topic manager with a faster wait for topics it
// creates: goka polls the metadata once a second, so a job that creates
// its topics started up to a second (or two) late; this one polls every
// 20 ms.
type topicManager struct {
	goka.TopicManager // created with CreateTopicTimeout 0: it does not wait
}

func (m topicManager) EnsureTableExists(topic string, npar int) error {
	return m.created(topic, m.TopicManager.EnsureTableExists(topic, npar))
}

func (m topicManager) EnsureStreamExists(topic string, npar int) error {
	return m.created(topic, m.TopicManager.EnsureStreamExists(topic, npar))
}

func (m topicManager) EnsureTopicExists(topic string, npar, rfactor int, config map[string]string) error {
	return m.created(topic, m.TopicManager.EnsureTopicExists(topic, npar, rfactor, config))
}

// created returns err, or waits until topic is in the metadata. A topic
// that exists by the time the create request arrives (the metadata goka
// checked was stale, or another process created it) counts as created.
func (m topicManager) created(topic string, err error) error {
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) &&
		!strings.Contains(err.Error(), sarama.ErrTopicAlreadyExists.Error()) { // goka wraps with %v
		return err
	}
	deadline := time.Now().Add(createWait)
	for {
		parts, err := m.Partitions(topic)
		if err == nil && len(parts) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kafkaclient: topic %s was created but is not in the broker's metadata after %v: %v", topic, createWait, err)
		}
		time.Sleep(createPoll)
	}
}
