package window

// Aggregator folds the values of a window's events into an aggregate of
// type A. Aggregates live in the key's state, so A must survive a JSON round
// trip (StateCodec keeps int64, int and float64 aggregates in binary, and
// any other type as JSON).
//
// Add and Merge may modify and return their first argument, but must not
// keep it or their other argument: a window's aggregate is replaced by what
// they return.
type Aggregator[A, T any] interface {
	// Zero returns the aggregate of a window without events.
	Zero() A
	// Add returns acc with the value v of one more event.
	Add(acc A, v T) A
	// Merge returns the aggregate of two windows' events together. Only
	// session windows merge; Merge of fixed-size windows is never called.
	Merge(a, b A) A
}

// Count returns the aggregator that counts events, ignoring their values.
// The window's Count holds the same number; Count suits jobs that need
// nothing else.
func Count[T any]() Aggregator[int64, T] { return count[T]{} }

type count[T any] struct{}

func (count[T]) Zero() int64              { return 0 }
func (count[T]) Add(acc int64, _ T) int64 { return acc + 1 }
func (count[T]) Merge(a, b int64) int64   { return a + b }
func (count[T]) String() string           { return "count" }

// Number is the set of types Sum adds.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// Sum returns the aggregator that adds the events' values. Integer sums
// wrap on overflow; a float sum that reaches Inf or NaN cannot be encoded
// as JSON, so the job sends the event that made it so to the error topic.
func Sum[N Number]() Aggregator[N, N] { return sum[N]{} }

type sum[N Number] struct{}

func (sum[N]) Zero() N        { return 0 }
func (sum[N]) Add(acc, v N) N { return acc + v }
func (sum[N]) Merge(a, b N) N { return a + b }
func (sum[N]) String() string { return "sum" }
