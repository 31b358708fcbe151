package topology

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ripplestream/ripple/processor"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// Pos is a position in a topology file.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Topology is a deployment as data: the streams it owns and the jobs that
// read and write them. Parse or Load one, then Validate it.
type Topology struct {
	File    string
	Streams []Stream
	Jobs    []Job
}

// Stream is one Kafka topic of a topology.
type Stream struct {
	Name processor.Stream
	// Partitions and Replication of the topic; Replication 0 is the
	// broker's default.
	Partitions  int
	Replication int
	// Retention is how long the broker keeps events (0: the broker's
	// default); Compact keeps the latest event per key instead.
	Retention time.Duration
	Compact   bool
	// Schema is the title of the events' schema (mediawiki/page/change);
	// "" accepts any.
	Schema string
	// Settings are the stream's settings in the shape of Wikimedia's
	// EventStreamConfig (sample, destination_event_service, ...);
	// Settings.SchemaTitle is unused: Schema is the schema title.
	Settings streamconfig.Settings
	Pos      Pos
	// positions of settings that Validate checks
	ratePos, unitPos Pos
}

// Job is one job of a topology: a kind registered in a Registry, its
// configuration, and the streams bound to the kind's inputs and outputs
// by role.
type Job struct {
	Name    processor.Group
	Kind    string
	Config  *yaml.Node // decoded by the kind (Spec.Decode)
	Inputs  []Binding
	Outputs []Binding
	Pos     Pos
	KindPos Pos
}

// Binding binds a role of a job kind (page_changes) to a stream.
type Binding struct {
	Role   string
	Stream processor.Stream
	Pos    Pos // of the stream name
}

// ErrSyntax is wrapped by the errors of a file that is not a topology.
var ErrSyntax = errors.New("topology: syntax")

// Load reads and parses the topology file at path.
func Load(path string) (*Topology, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a topology file; file names it in positions.
func Parse(file string, data []byte) (*Topology, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrSyntax, file, err)
	}
	t := &Topology{File: file}
	p := parser{file: file}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%w: %s: empty file; want streams: and jobs:", ErrSyntax, file)
	}
	root := doc.Content[0]
	err := p.mapping(root, "top level", func(key, val *yaml.Node) error {
		switch key.Value {
		case "streams":
			return p.mapping(val, "streams", func(k, v *yaml.Node) error {
				s, err := p.stream(k, v)
				t.Streams = append(t.Streams, s)
				return err
			})
		case "jobs":
			return p.mapping(val, "jobs", func(k, v *yaml.Node) error {
				j, err := p.job(k, v)
				t.Jobs = append(t.Jobs, j)
				return err
			})
		}
		return p.errorf(key, "unknown key %q; want streams or jobs", key.Value)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

type parser struct{ file string }

func (p parser) pos(n *yaml.Node) Pos { return Pos{File: p.file, Line: n.Line, Col: n.Column} }

func (p parser) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrSyntax, p.pos(n), fmt.Sprintf(format, args...))
}

// mapping calls f with each key and value of the mapping n, in order.
func (p parser) mapping(n *yaml.Node, what string, f func(key, val *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errorf(n, "%s: want a mapping", what)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := f(n.Content[i], n.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (p parser) stream(k, v *yaml.Node) (Stream, error) {
	s := Stream{Name: processor.Stream(k.Value), Pos: p.pos(k)}
	err := p.mapping(v, "stream "+k.Value, func(key, val *yaml.Node) error {
		var err error
		switch key.Value {
		case "partitions":
			s.Partitions, err = p.int(val)
		case "replication":
			s.Replication, err = p.int(val)
		case "retention":
			s.Retention, err = time.ParseDuration(val.Value)
			if err != nil {
				err = p.errorf(val, "retention: %v (write 168h)", err)
			}
		case "compact":
			s.Compact, err = strconv.ParseBool(val.Value)
			if err != nil {
				err = p.errorf(val, "compact: want true or false")
			}
		case "schema", "schema_title": // schema_title as EventStreamConfig names it
			if s.Schema != "" {
				return p.errorf(key, "stream %s: schema given twice (schema and schema_title are one setting)", k.Value)
			}
			s.Schema = val.Value
		default:
			err = p.setting(&s, k.Value, key, val)
		}
		return err
	})
	return s, err
}

// setting parses one of a stream's EventStreamConfig settings.
func (p parser) setting(s *Stream, stream string, key, val *yaml.Node) error {
	var err error
	switch key.Value {
	case "destination_event_service":
		if val.Kind != yaml.ScalarNode || val.Value == "" {
			return p.errorf(val, "stream %s: destination_event_service: want the name of an intake service (eventgate-analytics-external)", stream)
		}
		s.Settings.DestinationEventService = val.Value
	case "canary_events_enabled":
		b, perr := strconv.ParseBool(val.Value)
		if perr != nil {
			return p.errorf(val, "stream %s: canary_events_enabled: want true or false", stream)
		}
		s.Settings.CanaryEventsEnabled = &b
	case "sample":
		s.Settings.Sample = &streamconfig.Sample{}
		s.ratePos, s.unitPos = p.pos(val), p.pos(val)
		rate := false
		err = p.mapping(val, "stream "+stream+" sample", func(k, v *yaml.Node) error {
			switch k.Value {
			case "rate":
				r, perr := strconv.ParseFloat(v.Value, 64)
				if v.Kind != yaml.ScalarNode || perr != nil {
					return p.errorf(v, "stream %s: sample rate: want a number from 0 to 1, not %q", stream, v.Value)
				}
				s.Settings.Sample.Rate, s.ratePos, rate = r, p.pos(v), true
			case "unit":
				s.Settings.Sample.Unit, s.unitPos = v.Value, p.pos(v)
			default:
				return p.errorf(k, "stream %s: sample: unknown setting %q; want rate or unit", stream, k.Value)
			}
			return nil
		})
		if err == nil && !rate {
			err = p.errorf(key, "stream %s: sample: rate is missing; want a number from 0 to 1", stream)
		}
	case "producers":
		// Each producer's settings mean what that producer says
		// (eventgate: enrich_fields_from_http_headers, use_edge_uniques;
		// metrics_platform_client: events, provide_values); they are
		// kept as declared and served to it.
		err = p.mapping(val, "stream "+stream+" producers", func(k, v *yaml.Node) error {
			if v.Kind != yaml.MappingNode {
				return p.errorf(v, "stream %s: producers %s: want a mapping of settings", stream, k.Value)
			}
			return nil
		})
		if err == nil {
			err = val.Decode(&s.Settings.Producers)
		}
	default:
		err = p.errorf(key, "stream %s: unknown key %q; want partitions, replication, retention, compact, schema "+
			"(or schema_title), destination_event_service, canary_events_enabled, sample or producers", stream, key.Value)
	}
	return err
}

func (p parser) int(n *yaml.Node) (int, error) {
	i, err := strconv.Atoi(n.Value)
	if err != nil || i < 0 {
		return 0, p.errorf(n, "want a whole number, not %q", n.Value)
	}
	return i, nil
}

func (p parser) job(k, v *yaml.Node) (Job, error) {
	j := Job{Name: processor.Group(k.Value), Pos: p.pos(k), KindPos: p.pos(k)}
	bindings := func(val *yaml.Node, what string) ([]Binding, error) {
		var out []Binding
		err := p.mapping(val, "job "+k.Value+" "+what, func(role, stream *yaml.Node) error {
			if stream.Kind != yaml.ScalarNode || stream.Value == "" {
				return p.errorf(stream, "job %s %s %s: want a stream name", k.Value, what, role.Value)
			}
			out = append(out, Binding{Role: role.Value, Stream: processor.Stream(stream.Value), Pos: p.pos(stream)})
			return nil
		})
		return out, err
	}
	err := p.mapping(v, "job "+k.Value, func(key, val *yaml.Node) error {
		var err error
		switch key.Value {
		case "kind":
			j.Kind, j.KindPos = val.Value, p.pos(val)
		case "config":
			j.Config = val
		case "inputs":
			j.Inputs, err = bindings(val, "inputs")
		case "outputs":
			j.Outputs, err = bindings(val, "outputs")
		default:
			err = p.errorf(key, "job %s: unknown key %q; want kind, config, inputs or outputs", k.Value, key.Value)
		}
		return err
	})
	if err == nil && j.Kind == "" {
		err = p.errorf(k, "job %s: kind is missing", k.Value)
	}
	return j, err
}

// StreamConfigs returns the settings of every stream, keyed by name,
// with SchemaTitle the stream's Schema: what streamconfig.Handler serves.
func (t *Topology) StreamConfigs() map[string]streamconfig.Settings {
	out := make(map[string]streamconfig.Settings, len(t.Streams))
	for _, s := range t.Streams {
		c := s.Settings
		c.SchemaTitle = s.Schema
		out[string(s.Name)] = c
	}
	return out
}

// Stream returns the stream named s, or nil.
func (t *Topology) Stream(s processor.Stream) *Stream {
	for i := range t.Streams {
		if t.Streams[i].Name == s {
			return &t.Streams[i]
		}
	}
	return nil
}
