package topology

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// ErrInvalid is wrapped by every error Validate reports.
var ErrInvalid = errors.New("topology: invalid")

// Error is one problem of a topology, at a position of its file.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// Errors are the problems Validate found, in file order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Validate checks the topology and returns Errors, or nil: streams with
// partitions, jobs bound to declared streams, inputs of one job
// co-partitioned, no cycle of jobs through streams and, with kinds (nil
// skips these), known job kinds and roles, every input role bound, and the
// schema of each bound stream the one its role expects.
func (t *Topology) Validate(kinds *Registry) error {
	v := validator{t: t}
	v.streams()
	for _, j := range t.Jobs {
		v.job(j, kinds)
	}
	v.cycles()
	if len(v.errs) == 0 {
		return nil
	}
	sort.SliceStable(v.errs, func(a, b int) bool {
		pa, pb := v.errs[a].Pos, v.errs[b].Pos
		return pa.Line < pb.Line || pa.Line == pb.Line && pa.Col < pb.Col
	})
	return v.errs
}

type validator struct {
	t    *Topology
	errs Errors
}

func (v *validator) errorf(p Pos, format string, args ...any) {
	v.errs = append(v.errs, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) streams() {
	seen := map[processor.Stream]Pos{}
	for _, s := range v.t.Streams {
		if p, dup := seen[s.Name]; dup {
			v.errorf(s.Pos, "stream %s declared twice (first at %d:%d)", s.Name, p.Line, p.Col)
		}
		seen[s.Name] = s.Pos
		if s.Partitions < 1 {
			v.errorf(s.Pos, "stream %s: partitions is missing or 0; want 1 or more", s.Name)
		}
		if s.Compact && s.Retention > 0 {
			v.errorf(s.Pos, "stream %s: compact and retention both set; a compacted stream keeps the latest event per key", s.Name)
		}
		if sm := s.Settings.Sample; sm != nil {
			if !(sm.Rate >= 0 && sm.Rate <= 1) { // NaN too
				v.errorf(s.ratePos, "stream %s: sample rate %v is outside 0..1; write 0.1 to keep a tenth", s.Name, sm.Rate)
			}
			if sm.Unit != "" && !streamconfig.KnownUnit(sm.Unit) {
				v.errorf(s.unitPos, "stream %s: unknown sample unit %q; known: %s", s.Name, sm.Unit, strings.Join(streamconfig.Units(), ", "))
			}
		}
	}
}

func (v *validator) job(j Job, kinds *Registry) {
	for _, o := range v.t.Jobs {
		if o.Name == j.Name && o.Pos != j.Pos {
			v.errorf(j.Pos, "job %s declared twice", j.Name)
			break
		}
	}
	for _, b := range append(append([]Binding(nil), j.Inputs...), j.Outputs...) {
		if v.t.Stream(b.Stream) == nil {
			v.errorf(b.Pos, "job %s %s: stream %s is not declared under streams", j.Name, b.Role, b.Stream)
		}
	}
	var first *Stream
	var firstRole string
	for _, b := range j.Inputs {
		s := v.t.Stream(b.Stream)
		if s == nil {
			continue
		}
		if first == nil {
			first, firstRole = s, b.Role
		} else if s.Partitions != first.Partitions {
			v.errorf(b.Pos, "job %s: input %s (%s) has %d partitions but %s (%s) has %d; inputs of one job must be co-partitioned",
				j.Name, b.Role, s.Name, s.Partitions, firstRole, first.Name, first.Partitions)
		}
	}
	if kinds == nil {
		return
	}
	k, ok := kinds.Kind(j.Kind)
	if !ok {
		v.errorf(j.KindPos, "job %s: unknown kind %q; known: %s", j.Name, j.Kind, strings.Join(kinds.Names(), ", "))
		return
	}
	v.bindings(j, "input", j.Inputs, k.Inputs)
	v.bindings(j, "output", j.Outputs, k.Outputs)
	for role := range k.Inputs {
		if !bound(j.Inputs, role) {
			v.errorf(j.Pos, "job %s: input %s is not bound to a stream (kind %s reads %s)", j.Name, role, k.Name, roles(k.Inputs))
		}
	}
}

func (v *validator) bindings(j Job, what string, bs []Binding, want map[string]string) {
	for _, b := range bs {
		schema, ok := want[b.Role]
		if !ok {
			v.errorf(b.Pos, "job %s: kind %s has no %s %s; its %ss are %s", j.Name, j.Kind, what, b.Role, what, roles(want))
			continue
		}
		s := v.t.Stream(b.Stream)
		if s != nil && schema != "" && s.Schema != "" && s.Schema != schema {
			v.errorf(b.Pos, "job %s %s %s: stream %s has schema %s but the job %s %s", j.Name, what, b.Role, s.Name, s.Schema,
				map[string]string{"input": "reads", "output": "writes"}[what], schema)
		}
	}
}

func bound(bs []Binding, role string) bool {
	for _, b := range bs {
		if b.Role == role {
			return true
		}
	}
	return false
}

func roles(m map[string]string) string {
	var out []string
	for r := range m {
		out = append(out, r)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// cycles reports each cycle of jobs through streams once, at the input
// binding that closes it: an event would go round forever.
func (v *validator) cycles() {
	readers := map[processor.Stream][]int{}
	for i, j := range v.t.Jobs {
		for _, b := range j.Inputs {
			readers[b.Stream] = append(readers[b.Stream], i)
		}
	}
	const (
		unseen = iota
		onPath
		done
	)
	mark := make([]int, len(v.t.Jobs))
	var path []processor.Group
	var visit func(i int)
	visit = func(i int) {
		mark[i] = onPath
		path = append(path, v.t.Jobs[i].Name)
		for _, out := range v.t.Jobs[i].Outputs {
			for _, r := range readers[out.Stream] {
				switch mark[r] {
				case onPath:
					v.errorf(out.Pos, "cycle: %s -> %s (%s): events would go round forever", cyclePath(path, v.t.Jobs[r].Name), v.t.Jobs[r].Name, out.Stream)
				case unseen:
					visit(r)
				}
			}
		}
		path = path[:len(path)-1]
		mark[i] = done
	}
	for i := range v.t.Jobs {
		if mark[i] == unseen {
			visit(i)
		}
	}
}

// cyclePath is the part of path from start on, joined by arrows.
func cyclePath(path []processor.Group, start processor.Group) string {
	for i, g := range path {
		if g == start {
			parts := make([]string, 0, len(path)-i)
			for _, p := range path[i:] {
				parts = append(parts, string(p))
			}
			return strings.Join(parts, " -> ")
		}
	}
	return string(start)
}
