package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ripplestream/ripple/jobs/sink"
)

// Store is a sink.Store on a PostgreSQL table. Open makes one.
type Store struct {
	cfg  Config
	pool *pgxpool.Pool

	table, offsets, stage string   // quoted identifiers
	stageName             string   // stage unquoted
	columns               []string // column names in row order
	upsert, saveOffsets   string   // statements
}

var _ sink.Store = (*Store)(nil)

// Open checks cfg, connects, and creates the offsets table (and the
// table, with Config.CreateTable) when missing.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	pool, err := pgxpool.New(ctx, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: sink %s: connection URL: %v", ErrInvalidConfig, cfg.Name, err)
	}
	s := &Store{cfg: cfg, pool: pool, table: quote(cfg.Table), offsets: quote(cfg.OffsetsTable),
		stageName: "ripple_stage_" + strings.ReplaceAll(cfg.Table, ".", "_")}
	s.stage = pgx.Identifier{s.stageName}.Sanitize()
	s.columns = append(s.columns, cfg.KeyColumn)
	if cfg.EventColumn != "-" {
		s.columns = append(s.columns, cfg.EventColumn)
	}
	for _, c := range cfg.Columns {
		s.columns = append(s.columns, c.Name)
	}
	s.columns = append(s.columns, reserved...)
	s.statements()
	if err := s.create(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func quote(table string) string { return pgx.Identifier(strings.Split(table, ".")).Sanitize() }

func (s *Store) statements() {
	var cols, sets []string
	for _, c := range s.columns {
		q := pgx.Identifier{c}.Sanitize()
		cols = append(cols, q)
		if c != s.cfg.KeyColumn {
			sets = append(sets, q+" = EXCLUDED."+q)
		}
	}
	list := strings.Join(cols, ", ")
	// The WHERE keeps a row that a record read later from its partition
	// wrote: a replayed or older record never brings back an old version.
	s.upsert = fmt.Sprintf(`INSERT INTO %s AS t (%s) SELECT %s FROM %s
ON CONFLICT (%s) DO UPDATE SET %s
WHERE t.kafka_partition IS DISTINCT FROM EXCLUDED.kafka_partition OR t.kafka_offset < EXCLUDED.kafka_offset`,
		s.table, list, list, s.stage, pgx.Identifier{s.cfg.KeyColumn}.Sanitize(), strings.Join(sets, ", "))
	s.saveOffsets = fmt.Sprintf(`INSERT INTO %s (sink, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
ON CONFLICT (sink, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`, s.offsets)
}

// create creates the offsets table and, when asked, the table.
func (s *Store) create(ctx context.Context) error {
	stmts := []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	sink text NOT NULL,
	topic text NOT NULL,
	partition integer NOT NULL,
	next_offset bigint NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (sink, topic, partition))`, s.offsets)}
	if s.cfg.CreateTable {
		defs := []string{pgx.Identifier{s.cfg.KeyColumn}.Sanitize() + " text PRIMARY KEY"}
		if s.cfg.EventColumn != "-" {
			defs = append(defs, pgx.Identifier{s.cfg.EventColumn}.Sanitize()+" jsonb NOT NULL")
		}
		for _, c := range s.cfg.Columns {
			d := pgx.Identifier{c.Name}.Sanitize() + " " + c.Type
			if c.Required {
				d += " NOT NULL"
			}
			defs = append(defs, d)
		}
		defs = append(defs, "kafka_partition integer NOT NULL", "kafka_offset bigint NOT NULL", "kafka_time timestamptz")
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n\t%s)", s.table, strings.Join(defs, ",\n\t")))
	}
	for _, q := range stmts {
		if _, err := s.pool.Exec(ctx, q); err != nil && !duplicate(err) {
			return fmt.Errorf("sink/postgres: sink %s: %s: %w", s.cfg.Name, firstLine(q), err)
		}
	}
	return nil
}

// duplicate reports a CREATE ... IF NOT EXISTS that lost a race with
// another one.
func duplicate(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07")
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// Offsets returns the sink's offsets of topic.
func (s *Store) Offsets(ctx context.Context, topic string) (map[int32]int64, error) {
	rows, err := s.pool.Query(ctx, fmt.Sprintf("SELECT partition, next_offset FROM %s WHERE sink = $1 AND topic = $2", s.offsets),
		s.cfg.Name, topic)
	if err != nil {
		return nil, fmt.Errorf("sink/postgres: sink %s: reading offsets: %w", s.cfg.Name, err)
	}
	out := map[int32]int64{}
	var p int32
	var o int64
	if _, err := pgx.ForEachRow(rows, []any{&p, &o}, func() error { out[p] = o; return nil }); err != nil {
		return nil, fmt.Errorf("sink/postgres: sink %s: reading offsets: %w", s.cfg.Name, err)
	}
	return out, nil
}

// Write upserts b's records, the last of each key, and b's offsets in one
// transaction. It rejects the records that cannot become rows, writing
// nothing then.
func (s *Store) Write(ctx context.Context, b sink.Batch) error {
	rows, err := s.rows(b.Records)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.write(ctx, tx, b, rows) })
	if err == nil || !dataError(err) {
		if err != nil {
			return fmt.Errorf("sink/postgres: sink %s: writing %d rows to %s: %w", s.cfg.Name, len(rows), s.cfg.Table, err)
		}
		return nil
	}
	// PostgreSQL refused a value Go let through: find the records.
	if inv := s.culprits(ctx, b.Records); inv != nil {
		return inv
	}
	return fmt.Errorf("sink/postgres: sink %s: writing %d rows to %s: %w", s.cfg.Name, len(rows), s.cfg.Table, err)
}

// rows returns the rows of recs, the last record of each key only, or
// the records that cannot become rows.
func (s *Store) rows(recs []sink.Record) ([][]any, error) {
	var invalid []error
	rows := make([][]any, 0, len(recs))
	at := make(map[string]int, len(recs)) // row index by key
	for _, rec := range recs {
		row, inv := s.row(rec)
		if inv != nil {
			invalid = append(invalid, inv)
			continue
		}
		key := row[0].(string)
		if i, ok := at[key]; ok {
			rows[i] = row // a later record of the key: only the last is upserted
			continue
		}
		at[key] = len(rows)
		rows = append(rows, row)
	}
	if len(invalid) > 0 {
		return nil, errors.Join(invalid...)
	}
	return rows, nil
}

func (s *Store) write(ctx context.Context, tx pgx.Tx, b sink.Batch, rows [][]any) error {
	if len(rows) > 0 {
		if _, err := tx.Exec(ctx, fmt.Sprintf("CREATE TEMP TABLE IF NOT EXISTS %s (LIKE %s INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
			s.stage, s.table)); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.stageName}, s.columns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.upsert); err != nil {
			return err
		}
	}
	if len(b.Next) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for p, o := range b.Next {
		batch.Queue(s.saveOffsets, s.cfg.Name, b.Topic, p, o)
	}
	return tx.SendBatch(ctx, batch).Close()
}

// dataError reports an error of the data, not of the server: PostgreSQL's
// classes 22 (data exception) and 23 (integrity constraint violation).
func dataError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23"))
}

// culprits writes recs one by one in a transaction it rolls back, and
// returns the *sink.Invalid errors of those PostgreSQL refuses, joined;
// nil when it finds none or cannot tell.
func (s *Store) culprits(ctx context.Context, recs []sink.Record) error {
	var invalid []error
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, rec := range recs {
			rows, err := s.rows([]sink.Record{rec})
			if err != nil {
				return err
			}
			sp, err := tx.Begin(ctx) // a savepoint
			if err != nil {
				return err
			}
			err = s.write(ctx, sp, sink.Batch{}, rows)
			if dataError(err) {
				invalid = append(invalid, &sink.Invalid{Record: rec, Err: fmt.Errorf("PostgreSQL refused the row: %w", err)})
			} else if err != nil {
				return err
			}
			if err := sp.Rollback(ctx); err != nil {
				return err
			}
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) || len(invalid) == 0 {
		return nil
	}
	return errors.Join(invalid...)
}

var errRollback = errors.New("rollback")

// Close closes the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
