package processor

import (
	"fmt"
	"testing"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Both producers place a record where goka's own emitters do: sarama's
// hash partitioner over goka's default hasher is the reference.
func TestKeyPartitionIsGokas(t *testing.T) {
	ref := sarama.NewCustomHashPartitioner(goka.DefaultHasher())("any")
	ours := newPartitioner("any")
	kp := kgoPartitioner{}.ForTopic("any")
	differs := 0
	for i := range 20000 {
		key := fmt.Sprintf("key-%d", i)
		if i%7 == 0 {
			key = string([]byte{byte(i), byte(i >> 8), 0xff, 0x80}) // bytes with the high bit set
		}
		for _, n := range []int32{1, 3, 4, 12, 31} {
			want, err := ref.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(key)}, n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ours.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(key), Metadata: &produced{partition: -1}}, n)
			if err != nil || got != want {
				t.Fatalf("sarama path: key %q among %d: partition %d (%v), goka's %d", key, n, got, err, want)
			}
			if got := kp.Partition(&kgo.Record{Key: []byte(key), Partition: -1}, int(n)); int32(got) != want {
				t.Fatalf("franz-go path: key %q among %d: partition %d, goka's %d", key, n, got, want)
			}
			// franz-go's own sarama-compatible hasher is not goka's on
			// 64-bit: count where it would differ, to show the check bites.
			if kgo.SaramaHasher(func(b []byte) uint32 { h := goka.DefaultHasher()(); h.Write(b); return h.Sum32() })([]byte(key), int(n)) != int(want) {
				differs++
			}
		}
	}
	if differs == 0 {
		t.Error("franz-go's SaramaHasher agreed with goka on every key: this test no longer tells them apart")
	}
	// A record that names its partition (a changelog record) goes there.
	if got := kp.Partition(&kgo.Record{Key: []byte("k"), Partition: 2}, 4); got != 2 {
		t.Errorf("a record naming partition 2 went to %d", got)
	}
	if got, _ := ours.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder("k"), Metadata: &produced{partition: 2}}, 4); got != 2 {
		t.Errorf("a message naming partition 2 went to %d", got)
	}
}
