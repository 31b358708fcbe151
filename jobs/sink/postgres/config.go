package postgres

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ripplestream/ripple/internal/configerr"
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate; it matches
// every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("sink/postgres")

// Defaults of Config's fields.
const (
	DefaultKeyColumn    = "key"
	DefaultEventColumn  = "event"
	DefaultOffsetsTable = "ripple_sink_offsets"
)

// Column types a Column may have, and the JSON each takes.
const (
	Text        = "text"             // a string; a number or boolean as its JSON text
	BigInt      = "bigint"           // an integral number, or a string of one
	Double      = "double precision" // a number
	Boolean     = "boolean"          // true or false
	Timestamptz = "timestamptz"      // an RFC 3339 string, as meta.dt
	JSONB       = "jsonb"            // any JSON value
)

var types = []string{Text, BigInt, Double, Boolean, Timestamptz, JSONB}

// Column is a column filled from a field of the event.
type Column struct {
	// Name is the column's name. Required.
	Name string `yaml:"name"`
	// Pointer is the JSON pointer (RFC 6901) of the field, such as
	// /meta/dt or /page/page_id. Required.
	Pointer string `yaml:"pointer"`
	// Type is one of Text, BigInt, Double, Boolean, Timestamptz, JSONB.
	// Default Text.
	Type string `yaml:"type"`
	// Required rejects events without the field (or with null); otherwise
	// the column is NULL for them.
	Required bool `yaml:"required"`
}

// Config says where a sink writes and how an event becomes a row.
type Config struct {
	// Name is the sink's name (sink.Config.Name): it keys its offsets.
	// Required.
	Name string
	// URL is the connection string, such as
	// postgres://ripple@127.0.0.1:15432/ripple?sslmode=disable (what
	// deploy/local/postgres starts) or key=value pairs. Required.
	URL string
	// Table is the table of the rows, optionally schema-qualified
	// (analytics.edits). Required.
	Table string
	// KeyColumn is the name of the key column. Default "key".
	KeyColumn string
	// KeyPointer is the JSON pointer of the event field that is the key
	// (a string or a number), such as /meta/id. Default "": the record's
	// Kafka key.
	KeyPointer string
	// EventColumn is the name of the jsonb column of the whole event.
	// Default "event"; "-" keeps no event column.
	EventColumn string
	// Columns are the columns picked out of the event.
	Columns []Column
	// CreateTable creates Table when it does not exist, with the columns
	// above. The offsets table is always created when missing.
	CreateTable bool
	// OffsetsTable is the table of the sinks' offsets. Default
	// "ripple_sink_offsets".
	OffsetsTable string
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults.
func (c Config) WithDefaults() Config {
	if c.KeyColumn == "" {
		c.KeyColumn = DefaultKeyColumn
	}
	if c.EventColumn == "" {
		c.EventColumn = DefaultEventColumn
	}
	if c.OffsetsTable == "" {
		c.OffsetsTable = DefaultOffsetsTable
	}
	if len(c.Columns) > 0 {
		cols := make([]Column, len(c.Columns))
		copy(cols, c.Columns)
		for i := range cols {
			if cols[i].Type == "" {
				cols[i].Type = Text
			}
		}
		c.Columns = cols
	}
	return c
}

// name is what Validate takes as a column or table name: PostgreSQL's
// unquoted identifiers, lower case (the store quotes them all the same).
var name = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// reserved are the columns the store adds itself.
var reserved = []string{"kafka_partition", "kafka_offset", "kafka_time"}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.Name == "":
		return fmt.Errorf("%w: no sink name: set Name to the sink's (it keys the offsets)", ErrInvalidConfig)
	case c.URL == "":
		return fmt.Errorf("%w: sink %s: no connection URL (the local test server is postgres://ripple@127.0.0.1:15432/ripple?sslmode=disable, started by deploy/local/postgres up)", ErrInvalidConfig, c.Name)
	case c.Table == "":
		return fmt.Errorf("%w: sink %s: no table", ErrInvalidConfig, c.Name)
	}
	for _, t := range []string{c.Table, c.OffsetsTable} {
		for _, part := range strings.Split(t, ".") {
			if !name.MatchString(part) || strings.Count(t, ".") > 1 {
				return fmt.Errorf("%w: sink %s: table %q: use [schema.]name, lower case letters, digits and _", ErrInvalidConfig, c.Name, t)
			}
		}
	}
	if c.KeyPointer != "" && !strings.HasPrefix(c.KeyPointer, "/") {
		return fmt.Errorf("%w: sink %s: KeyPointer %q is not a JSON pointer (such as /meta/id)", ErrInvalidConfig, c.Name, c.KeyPointer)
	}
	seen := map[string]bool{}
	for _, r := range reserved {
		seen[r] = true
	}
	cols := []string{c.KeyColumn}
	if c.EventColumn != "-" {
		cols = append(cols, c.EventColumn)
	}
	for _, col := range c.Columns {
		cols = append(cols, col.Name)
		if !strings.HasPrefix(col.Pointer, "/") {
			return fmt.Errorf("%w: sink %s: column %s: pointer %q is not a JSON pointer (such as /page/page_id)", ErrInvalidConfig, c.Name, col.Name, col.Pointer)
		}
		if !slices.Contains(types, col.Type) {
			return fmt.Errorf("%w: sink %s: column %s: type %q: use one of %s", ErrInvalidConfig, c.Name, col.Name, col.Type, strings.Join(types, ", "))
		}
	}
	for _, col := range cols {
		if !name.MatchString(col) {
			return fmt.Errorf("%w: sink %s: column name %q: use lower case letters, digits and _", ErrInvalidConfig, c.Name, col)
		}
		if seen[col] {
			return fmt.Errorf("%w: sink %s: column %s twice (kafka_partition, kafka_offset and kafka_time are the store's)", ErrInvalidConfig, c.Name, col)
		}
		seen[col] = true
	}
	return nil
}
