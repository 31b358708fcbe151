package workload

import (
	"context"
	"fmt"
	"time"

	"github.com/ripplestream/ripple/deps"
)

// Sessions shapes when changes happen. Edits come in sessions, and the
// sessions of many editors overlap in time:
//
//   - Wikidata items are edited in bursts. Bots (Pywikibot's addClaim),
//     the item UI and QuickStatements before 3.0 write one revision per
//     statement, label or description, so a bot run or a batch row that
//     adds a few statements and labels in several languages is several
//     edits of one item within seconds; a person in the UI saves each
//     statement separately, tens of seconds apart.
//   - People save an article several times in a row (save, spot a typo,
//     save again), usually minutes apart.
//   - Templates are edited in bursts too (edit, look at a page using it,
//     fix), a minute or so apart.
//   - Creations, deletions and moves are single changes.
//
// Each session has a geometric number of edits and exponential gaps
// between them (at least half a second: an edit takes that long to
// save). Sessions start as a Poisson process tuned so that changes arrive
// at Rate overall, with the kind mix of single changes kept: 62% entity
// edits, 25% article edits, 3% template edits, 4% creations, 3% deletions
// and 3% moves. Parses happen at the time of the edit that caused them.
//
// The defaults are assumptions, not measurements of Wikimedia traffic:
// BENCHMARKS.md shows how the purge reduction moves with them.
type Sessions struct {
	// Off makes every change its own session (still arriving at Rate):
	// the model before sessions, for comparison.
	Off bool
	// Rate is the mean number of changes per second over the whole wiki.
	// Default 1.5, about the pace of the model before sessions (a line
	// every 0.1 - 1 s). A scaled-down wiki edited at Wikidata's full
	// rate would make unrelated changes of one page collide far more
	// often than on the real, much larger wiki.
	Rate float64
	// Entity shapes sessions on one Wikidata item. Default 4 edits, 3 s
	// apart: a bot or batch tool adding a few statements and labels, one
	// revision each, seconds apart, mixed with slower people in the UI.
	// QuickStatements 3.0 combines the commands for one item into one
	// edit, so batches made with it are single edits: hence a mean of 4,
	// not the dozens of commands a batch row can hold.
	Entity Burst
	// Article shapes sessions on one article. Default 2 saves, 60 s
	// apart: most of them fall outside a window of seconds.
	Article Burst
	// Template shapes sessions on one template. Default 3 edits, 30 s
	// apart.
	Template Burst
}

// Burst is the shape of one kind of session.
type Burst struct {
	// Edits is the mean number of edits in a session (geometric, at
	// least 1).
	Edits float64
	// Gap is the mean time between two edits of a session.
	Gap time.Duration
}

// minGap is the shortest time between two edits of a session.
const minGap = 500 * time.Millisecond

// WithDefaults returns s with its unset fields set to their defaults.
func (s Sessions) WithDefaults() Sessions {
	if s.Rate == 0 {
		s.Rate = 1.5
	}
	for _, d := range []struct {
		b     *Burst
		edits float64
		gap   time.Duration
	}{{&s.Entity, 4, 3 * time.Second}, {&s.Article, 2, time.Minute}, {&s.Template, 3, 30 * time.Second}} {
		if s.Off {
			d.b.Edits = 1
		}
		if d.b.Edits == 0 {
			d.b.Edits = d.edits
		}
		if d.b.Gap == 0 {
			d.b.Gap = d.gap
		}
	}
	return s
}

// Validate reports sessions that cannot be made; it changes nothing. A
// zero field stands for its default.
func (s Sessions) Validate() error {
	for _, b := range []Burst{s.Entity, s.Article, s.Template} {
		if (b.Edits != 0 && b.Edits < 1) || b.Gap < 0 {
			return fmt.Errorf("%w: a session needs >= 1 edit on average and a gap >= 0 (got %v edits, %v)", deps.ErrInvalidConfig, b.Edits, b.Gap)
		}
	}
	if s.Rate < 0 {
		return fmt.Errorf("%w: change rate %v per second must be positive", deps.ErrInvalidConfig, s.Rate)
	}
	return nil
}

// sessionKind is the kind of a session.
type sessionKind int

const (
	entitySession sessionKind = iota
	articleSession
	templateSession
	createSession
	deleteSession
	moveSession
)

// mix is the share of each kind among changes.
var mix = [...]float64{entitySession: 0.62, articleSession: 0.25, templateSession: 0.03, createSession: 0.04, deleteSession: 0.03, moveSession: 0.03}

// session is one editor working on one target.
type session struct {
	kind   sessionKind
	target string // entity id or page title; empty for single changes
	burst  Burst
	next   time.Time // when its next edit happens
	left   int       // edits still to make
}

func (s *Sessions) burst(k sessionKind) Burst {
	switch k {
	case entitySession:
		return s.Entity
	case articleSession:
		return s.Article
	case templateSession:
		return s.Template
	}
	return Burst{Edits: 1}
}

// sessions emits cfg.Changes changes, interleaving overlapping sessions
// in event-time order, or stops with ctx's error.
func (g *gen) sessions(ctx context.Context) error {
	cfg := &g.cfg.Sessions
	var weights [len(mix)]float64
	var perSession float64 // session starts per change
	for k, share := range mix {
		weights[k] = share / cfg.burst(sessionKind(k)).Edits
		perSession += weights[k]
	}
	meanArrival := time.Duration(float64(time.Second) / (cfg.Rate * perSession))
	arrival := g.clock.Add(g.exp(meanArrival))
	var active []*session
	for done := 0; done < g.cfg.Changes; {
		i := soonest(active)
		if i < 0 || arrival.Before(active[i].next) {
			active = append(active, g.start(g.draw(weights[:], perSession), arrival))
			arrival = arrival.Add(g.exp(meanArrival))
			continue
		}
		s := active[i]
		g.clock = s.next
		ok := g.step(s)
		if ok {
			done++
			if g.cfg.Progress != nil {
				g.cfg.Progress(done, g.cfg.Changes)
			}
			if done%256 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
		}
		if s.left--; !ok || s.left == 0 {
			active = append(active[:i], active[i+1:]...)
			continue
		}
		s.next = s.next.Add(minGap + g.exp(s.burst.Gap-minGap))
	}
	return nil
}

func soonest(active []*session) int {
	best := -1
	for i, s := range active {
		if best < 0 || s.next.Before(active[best].next) {
			best = i
		}
	}
	return best
}

func (g *gen) draw(weights []float64, total float64) sessionKind {
	r := g.rng.Float64() * total
	for k, w := range weights {
		if r < w {
			return sessionKind(k)
		}
		r -= w
	}
	return sessionKind(len(weights) - 1)
}

// start begins a session whose first edit happens at at, the soonest of
// all, so the target chosen now is still there for it.
func (g *gen) start(k sessionKind, at time.Time) *session {
	s := &session{kind: k, burst: g.cfg.Sessions.burst(k), next: at, left: 1}
	for s.burst.Edits > 1 && g.rng.Float64() >= 1/s.burst.Edits {
		s.left++
	}
	switch k {
	case entitySession:
		// Most edits are to items no article here is connected to;
		// some to an article's own item.
		if len(g.items) > 0 && g.rng.IntN(10) < 3 {
			s.target = g.items[g.rng.IntN(len(g.items))]
		} else {
			s.target = fmt.Sprintf("Q%d", 1+g.rng.IntN(g.cfg.Entities))
		}
	case articleSession:
		s.target = g.live(deps.NamespaceMain).ref.Title
	case templateSession:
		// Uniform: heavily used templates are protected on Wikimedia
		// wikis and rarely edited, so edits spread over the long tail
		// (their use, not their edits, follows Zipf). Template:Documentation
		// is one of them.
		s.target = documentation
		if i := g.rng.IntN(g.cfg.Templates + 1); i < g.cfg.Templates {
			s.target = fmt.Sprintf("Template:T%d", i)
		}
	}
	return s
}

// step makes a session's next change; false when its target is gone (an
// article deleted or moved by another session meanwhile) or, for a
// creation, no title is free.
func (g *gen) step(s *session) bool {
	switch s.kind {
	case entitySession:
		g.entityChange(s.target)
	case articleSession:
		p := g.pages[s.target]
		if p.deleted {
			return false
		}
		g.articleEdit(p)
	case templateSession:
		g.templateEdit(g.pages[s.target])
	case createSession:
		return g.create()
	case deleteSession:
		g.delete()
	case moveSession:
		g.move()
	}
	return true
}

// exp draws an exponential duration with the given mean.
func (g *gen) exp(mean time.Duration) time.Duration {
	if mean <= 0 {
		return 0
	}
	return time.Duration(g.rng.ExpFloat64() * float64(mean))
}
