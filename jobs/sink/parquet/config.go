package parquet

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/ripplestream/ripple/event"
	"github.com/ripplestream/ripple/internal/configerr"
)

// ErrInvalidConfig is wrapped by the errors of Config.Validate; it matches
// every ripple package's ErrInvalidConfig.
var ErrInvalidConfig = configerr.New("parquet")

// DefaultTimeFields are the fields whose time partitions an event: its
// event time, else the time the platform received it.
var DefaultTimeFields = []string{"dt", "meta.dt"}

// Compressions are the codecs Config.Compression may name.
var Compressions = []string{"none", "snappy", "gzip", "zstd"}

// DefaultCompression is Config.Compression's default.
const DefaultCompression = "zstd"

// Config says where a Store writes and with which schema. Unset fields take
// their defaults (WithDefaults).
type Config struct {
	// Dir is the root of the files: <Dir>/<topic>/datehour=YYYY-MM-DDTHH/.
	// Required; it is made when missing. One Store writes a Dir at a time.
	Dir string
	// Repository holds the schemas. Required.
	Repository *event.Repository
	// Schema is the URI of the schema the files are written with, such as
	// /mediawiki/revision/create/2.0.0 (or /<title>/latest). Required. An
	// event must have a $schema of its title; it is validated against the
	// version it names and written with this one's columns.
	Schema string
	// TimeFields are the fields, dotted paths of date-time strings, whose
	// first present one gives the hour an event is filed under. Default
	// DefaultTimeFields.
	TimeFields []string
	// Compression is the codec of the column chunks, one of Compressions.
	// Default DefaultCompression.
	Compression string
	// Logger receives the store's logs. Default: discard.
	Logger *slog.Logger
}

// WithDefaults returns a copy of c with its unset fields set to their
// defaults.
func (c Config) WithDefaults() Config {
	if len(c.TimeFields) == 0 {
		c.TimeFields = slices.Clone(DefaultTimeFields)
	}
	if c.Compression == "" {
		c.Compression = DefaultCompression
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first field of c that cannot work, wrapping
// ErrInvalidConfig. It does not change c.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.Dir == "":
		return fmt.Errorf("%w: no Dir: set the directory the Parquet files go to", ErrInvalidConfig)
	case c.Repository == nil:
		return fmt.Errorf("%w: no Repository: set the schema repository that holds Schema", ErrInvalidConfig)
	case c.Schema == "":
		return fmt.Errorf("%w: no Schema: set the URI of the schema the files are written with, such as /mediawiki/revision/create/2.0.0", ErrInvalidConfig)
	case !slices.Contains(Compressions, c.Compression):
		return fmt.Errorf("%w: Compression %q: want one of %s", ErrInvalidConfig, c.Compression, strings.Join(Compressions, ", "))
	}
	if _, _, err := event.ParseSchemaURI(c.Schema); err != nil {
		return fmt.Errorf("%w: Schema %q: %v", ErrInvalidConfig, c.Schema, err)
	}
	for _, f := range c.TimeFields {
		if f == "" || strings.HasPrefix(f, ".") || strings.HasSuffix(f, ".") || strings.Contains(f, "..") {
			return fmt.Errorf("%w: TimeFields %q: want dotted field paths such as meta.dt", ErrInvalidConfig, c.TimeFields)
		}
	}
	return nil
}
