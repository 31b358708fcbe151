package state_test

import (
	"testing"

	"github.com/lovoo/goka/storage"
	"github.com/ripplestream/ripple/state"
	"github.com/ripplestream/ripple/state/statetest"
	"github.com/syndtr/goleveldb/leveldb"
)

// TestConformance runs one suite against the Pebble store in its main
// configurations and against goka's LevelDB and memory stores. The quirks
// declared for goka's stores are the semantic differences found; the Pebble
// store has none and matches LevelDB wherever goka's stores disagree.
func TestConformance(t *testing.T) {
	pebbleConfigs := map[string]state.Config{
		"pebble": {},
		// A tiny batch commits on almost every write in recovery mode.
		"pebble-smallbatch": {RecoveryMemTableBytes: 1 << 20, RecoveryBatchBytes: 64},
		// Same options in both modes: MarkRecovered does not reopen.
		"pebble-recoverywal": {RecoveryWAL: true, RecoveryMemTableBytes: state.DefaultMemTableBytes},
		"pebble-sync":        {Sync: true},
	}
	for name, cfg := range pebbleConfigs {
		t.Run(name, func(t *testing.T) {
			statetest.Run(t, statetest.Factory{Open: openPebble(cfg), Persistent: true})
		})
	}
	t.Run("leveldb", func(t *testing.T) {
		statetest.Run(t, statetest.Factory{
			Open:       openLevelDB,
			Persistent: true,
			Quirks: statetest.Quirks{
				SeekShowsOffsetKey: true,
				ClosePanicsTwice:   true,
			},
		})
	})
	t.Run("memory", func(t *testing.T) {
		statetest.Run(t, statetest.Factory{
			Open: func(testing.TB, string) storage.Storage { return storage.NewMemory() },
			Quirks: statetest.Quirks{
				RejectsNilValue:     true,
				AliasesValues:       true,
				RangeLimitInclusive: true,
				RangeNeedsLimit:     true,
				SeekByPrefix:        true,
				WorksAfterClose:     true,
				NilErrAfterRelease:  true,
				PanicsBeforeNext:    true,
			},
		})
	})
}

func openPebble(cfg state.Config) func(testing.TB, string) storage.Storage {
	return func(t testing.TB, dir string) storage.Storage {
		t.Helper()
		cfg.Dir = dir
		st, err := state.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Open(); err != nil {
			t.Fatal(err)
		}
		return st
	}
}

func openLevelDB(t testing.TB, dir string) storage.Storage {
	t.Helper()
	db, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	return st
}
