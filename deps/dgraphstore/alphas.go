package dgraphstore

import (
	"sync/atomic"

	"github.com/dgraph-io/dgo/v230"
	"github.com/dgraph-io/dgo/v230/protos/api"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
)

// alphas spreads the store's transactions over its alphas, one alpha per
// transaction (as dgo does), but only over those whose connection is up:
// dgo picks an alpha at random, so that with one of three alphas down a
// third of the transactions would fail. When none is up it takes the next
// in turn, whose call then fails with codes.Unavailable.
type alphas struct {
	conns   []*grpc.ClientConn
	clients []*dgo.Dgraph // clients[i] talks to conns[i] only
	next    atomic.Uint64
}

func newAlphas(conns []*grpc.ClientConn) *alphas {
	a := &alphas{conns: conns}
	for _, c := range conns {
		a.clients = append(a.clients, dgo.NewDgraphClient(api.NewDgraphClient(c)))
	}
	return a
}

// pick returns the client of the next alpha in turn that is connected, or
// else of one that is connecting, or else of the next in turn. It asks a
// connection that went idle after its alpha was lost to connect again, so
// that it is up soon after the alpha is back.
func (a *alphas) pick() *dgo.Dgraph {
	start := int(a.next.Add(1) % uint64(len(a.conns)))
	connecting := -1
	for k := range a.conns {
		i := (start + k) % len(a.conns)
		switch a.conns[i].GetState() {
		case connectivity.Ready:
			return a.clients[i]
		case connectivity.Idle:
			a.conns[i].Connect()
			fallthrough
		case connectivity.Connecting:
			if connecting < 0 {
				connecting = i
			}
		}
	}
	if connecting >= 0 {
		return a.clients[connecting]
	}
	return a.clients[start]
}
