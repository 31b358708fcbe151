package embedded_test

import (
	"fmt"

	"github.com/ripplestream/ripple/processor/embedded"
)

// A broker of one's own: create a topic, produce to it and read it back.
// A job runs on it with processor.Config{Brokers: b.Addrs(), KafkaVersion:
// embedded.KafkaVersion} (see examples/1-filter).
func Example() {
	b, err := embedded.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	if err := b.CreateTopic("edits", 1); err != nil {
		fmt.Println(err)
		return
	}
	err = b.Produce("edits",
		embedded.Record{Key: "Alpha", Value: []byte(`{"user":"u1"}`)},
		embedded.Record{Key: "Beta", Value: []byte(`{"user":"u2"}`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, err := b.Count("edits")
	if err != nil {
		fmt.Println(err)
		return
	}
	recs, err := b.Consume("edits")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, "records")
	for _, r := range recs {
		fmt.Println(r.Key, string(r.Value))
	}
	// Output:
	// 2 records
	// Alpha {"user":"u1"}
	// Beta {"user":"u2"}
}
