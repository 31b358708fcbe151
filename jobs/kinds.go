package jobs

import (
	"github.com/ripplestream/ripple/jobs/anomaly"
	"github.com/ripplestream/ripple/jobs/changeprop"
	"github.com/ripplestream/ripple/jobs/entitychange"
	"github.com/ripplestream/ripple/jobs/errorlog"
	"github.com/ripplestream/ripple/jobs/searchindex"
	sinkparquet "github.com/ripplestream/ripple/jobs/sink/parquet"
	sinkpostgres "github.com/ripplestream/ripple/jobs/sink/postgres"
	sinkredis "github.com/ripplestream/ripple/jobs/sink/redis"
	"github.com/ripplestream/ripple/topology"
)

// Kinds returns a registry of every job kind of this module, the kinds a
// topology file run by `ripple run` may name.
func Kinds() *topology.Registry {
	r := topology.NewRegistry()
	changeprop.Register(r)
	entitychange.Register(r)
	errorlog.Register(r)
	anomaly.Register(r)
	searchindex.Register(r)
	sinkparquet.Register(r)
	sinkpostgres.Register(r)
	sinkredis.Register(r)
	return r
}
