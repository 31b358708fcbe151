package testenv

import (
	"testing"

	"github.com/IBM/sarama"

	"github.com/ripplestream/ripple/internal/kafkaclient"
)

// AddPartitions grows topic on the broker to total partitions, as an
// operator's kafka-topics --alter would, and returns once each has a
// leader, so the test can produce to the new ones at once.
func AddPartitions(t testing.TB, cfg kafkaclient.Config, topic string, total int32) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(cfg.Brokers, cfg.Sarama())
	if err != nil {
		t.Fatalf("connecting admin client to %v: %v", cfg.Brokers, err)
	}
	defer admin.Close()
	if err := admin.CreatePartitions(topic, total, nil, false); err != nil {
		t.Fatalf("growing topic %s to %d partitions: %v", topic, total, err)
	}
	waitForLeaders(t, cfg, topic, total)
}
