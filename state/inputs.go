package state

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/IBM/sarama"
)

// InputsKey is the reserved key under which a partition's state records
// which input offsets it has applied. The processor writes it with every
// batch of state changes, in the same Pebble batch and as the last
// changelog record of the batch, so the state and the events it reflects
// are stored together: a restart resumes each input right after the offset
// stored here and never applies an event twice. Iterators never return it;
// goka views of the table see it as one more key.
const InputsKey = "__ripple_inputs"

// BatchHeader is the changelog record header that carries the sequence
// number of the batch a record belongs to (decimal). A batch's records are
// followed, in the same changelog partition, by its marker: the InputsKey
// record of the same sequence. Restore applies a batch only once its
// marker is read, so a batch torn by a crash is never half applied.
const BatchHeader = "ripple-batch"

// Inputs is the value stored under InputsKey: the sequence number of the
// last batch applied and, for every input topic of the partition, the
// offset of the last record applied to the state.
type Inputs struct {
	Batch   int64            `json:"batch"`
	Offsets map[string]int64 `json:"offsets"`
}

// Encode returns the stored form of in.
func (in Inputs) Encode() []byte {
	b, _ := json.Marshal(in) // a plain struct: cannot fail
	return b
}

// DecodeInputs reads a value stored under InputsKey; nil reads as empty
// Inputs.
func DecodeInputs(b []byte) (Inputs, error) {
	var in Inputs
	if b == nil {
		return in, nil
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return in, fmt.Errorf("state: unreadable %s value %q: %w", InputsKey, b, err)
	}
	return in, nil
}

// BatchHeaderValue returns the header value of batch seq.
func BatchHeaderValue(seq int64) []byte { return strconv.AppendInt(nil, seq, 10) }

// batchOf returns the batch sequence of a changelog record, or -1 for a
// record without one (written before batches were marked, or by goka).
func batchOf(headers []*sarama.RecordHeader) int64 {
	for _, h := range headers {
		if h != nil && string(h.Key) == BatchHeader {
			if n, err := strconv.ParseInt(string(h.Value), 10, 64); err == nil {
				return n
			}
		}
	}
	return -1
}

// reserved reports whether a stored key is one of the store's own.
func reserved(k []byte) bool {
	return string(k) == offsetKey || string(k) == InputsKey
}
