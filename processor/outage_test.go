package processor

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestKafkaTransient(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{sarama.ErrOutOfBrokers, true},
		{fmt.Errorf("consuming: %w", syscall.ECONNREFUSED), true},
		{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		// An errno is a net.Error too; a disk's is no outage of Kafka.
		{fmt.Errorf("writing state: %w", syscall.ENOSPC), false},
		{&os.PathError{Op: "write", Path: "state/000001.log", Err: syscall.EIO}, false},
		{sarama.ErrNotLeaderForPartition, true},
		{sarama.ErrMessageSizeTooLarge, false},
		{sarama.ErrTopicAuthorizationFailed, false},
		{transient(errors.New("anything")), true},
		{errors.New("2 errors occurred: kafka: client has run out of available brokers to talk to"), true},
		{errors.New("invalid configuration"), false},
		// A refused password or certificate stays refused: the job stops
		// and says so instead of waiting for ever.
		{sarama.Wrap(sarama.ErrOutOfBrokers, sarama.ErrSASLAuthenticationFailed), false},
		{transient(sarama.Wrap(sarama.ErrOutOfBrokers, x509.UnknownAuthorityError{})), false},
	} {
		if got := kafkaTransient(c.err); got != c.want {
			t.Errorf("kafkaTransient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestProduceTransient(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		// sarama's idempotent producer after a broker restart (seen in
		// TestFaultBrokerOutage): a new producer cures it.
		{errors.New("assertion failed: message out of sequence added to a batch"), true},
		{sarama.ErrOutOfBrokers, true},
		{sarama.ErrNotEnoughReplicas, true},
		{sarama.ErrMessageSizeTooLarge, false},
		{sarama.ErrInvalidTopic, false},
		{sarama.ConfigurationError("Attempt to produce message larger than configured Producer.MaxMessageBytes"), false},
		{sarama.PacketEncodingError{Info: "bad"}, false},
		// franz-go's failures (the producer without ExactlyOnce), judged
		// by their Kafka error code as sarama's are.
		{fmt.Errorf("producing to out: %w", kerr.MessageTooLarge), false},
		{kerr.TopicAuthorizationFailed, false},
		{kerr.NotLeaderForPartition, true},
		{kerr.OutOfOrderSequenceNumber, true},
		{kgo.ErrClientClosed, true},
		{context.Canceled, true},
	} {
		if got := produceTransient(c.err); got != c.want {
			t.Errorf("produceTransient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
