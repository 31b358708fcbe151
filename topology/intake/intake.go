package intake

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ripplestream/ripple/processor/prommetrics"
	"github.com/ripplestream/ripple/topology/streamconfig"
)

// EventsPath is where events are posted, as EventGate's API has it.
const EventsPath = "/v1/events"

// ClientPath is where the client page is served.
const ClientPath = "/client/"

//go:embed client
var clientFiles embed.FS

// Service is a running intake: its producer and its HTTP handler. Make
// one with New, serve it with Serve (or mount Handler), and Close it.
type Service struct {
	cfg     Config
	client  *kgo.Client
	metrics *metrics
	handler http.Handler

	// ctx is the producer's: requests' produces outlive their requests
	// (a client that hangs up does not cancel its accepted events), and
	// end only when Close gives up on them.
	ctx    context.Context
	cancel context.CancelFunc
	close  sync.Once

	// mu.draining is set when Serve's context ends: /readyz fails while
	// POSTs are still taken, for cfg.DrainDelay. mu.closing is set when
	// Close begins: from then on a POST is refused with 503 and /readyz
	// fails. mu.admitted counts the POSTs let in
	// before whose events (hasty ones too) are not produced yet: Close
	// waits for them before it closes the producer, and Serve's shutdown
	// for them. mu.idle, when someone waits, is closed when admitted next
	// drops to zero.
	mu struct {
		sync.Mutex
		draining bool
		closing  bool
		admitted int
		idle     chan struct{}
	}
}

// New checks cfg (after WithDefaults), makes the producer and returns the
// service. The producer is idempotent and waits for all in-sync replicas,
// so an event acknowledged once is written once.
func New(cfg Config) (*Service, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// The client first, the metrics last: an error leaves nothing
	// registered on cfg.Registerer, so New may be called again with it.
	opts, err := cfg.kafka().Kgo()
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	opts = append(opts,
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotence (kgo's default) needs it
		kgo.ProducerLinger(cfg.Linger),
		kgo.ProducerBatchCompression(kgo.Lz4Compression(), kgo.NoCompression()),
		kgo.RecordDeliveryTimeout(cfg.ProduceTimeout),
		kgo.WithLogger(kgoLogger{cfg.Logger}),
	)
	client, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("intake: Kafka client: %w", err)
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("intake: metrics: %w", err)
	}
	s := &Service{cfg: cfg, client: client, metrics: m}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.handler = s.routes()
	return s, nil
}

func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(EventsPath, s.postEvents)
	mux.Handle(streamconfig.Path, streamconfig.Handler(s.cfg.Streams))
	page, _ := fs.Sub(clientFiles, "client")
	mux.Handle(ClientPath, http.StripPrefix(ClientPath, http.FileServerFS(page)))
	mux.Handle("/", prommetrics.Handler(s.cfg.Gatherer, s))
	return mux
}

// Handler serves /v1/events, /v1/streams, /client/, /metrics, /healthz
// and /readyz.
func (s *Service) Handler() http.Handler { return s.handler }

// Ready reports whether the service wants events (prommetrics.Probe): it
// does not once Serve drains or Close has begun.
func (s *Service) Ready() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.mu.closing && !s.mu.draining
}

// admit lets a POST in, to be let out with release once its events are
// produced; it returns false once Close has begun.
func (s *Service) admit() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closing {
		return false
	}
	s.mu.admitted++
	return true
}

// release lets out a POST that admit let in.
func (s *Service) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.admitted--
	if s.mu.admitted == 0 && s.mu.idle != nil {
		close(s.mu.idle)
		s.mu.idle = nil
	}
}

// Healthy reports a closed service (prommetrics.Probe). A broker outage
// shows in the answers (500) and the metrics, not here: restarting the
// intake would not help.
func (s *Service) Healthy() error {
	if s.ctx.Err() != nil {
		return errors.New("intake: closed")
	}
	return nil
}

// Serve serves the service on ln (on cfg.Addr when ln is nil) until ctx
// ends, then drains for cfg.DrainDelay (or until Close: /readyz fails,
// events are still taken) and shuts down gracefully: it stops taking
// requests, waits up to
// cfg.ShutdownTimeout for those in flight and for the events of hasty
// requests, and returns. It does not Close the service.
func (s *Service) Serve(ctx context.Context, ln net.Listener) error {
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
			return fmt.Errorf("intake: listening on %s: %w (choose another address)", s.cfg.Addr, err)
		}
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		if s.cfg.DrainDelay > 0 {
			s.mu.Lock()
			s.mu.draining = true
			s.mu.Unlock()
			drained := time.NewTimer(s.cfg.DrainDelay)
			select {
			case <-drained.C: // the drain's own length, not a wait for a condition
			case <-s.ctx.Done():
				drained.Stop()
			}
		}
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		err := srv.Shutdown(sctx)
		done <- errors.Join(err, s.flush(sctx))
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		stop()
		<-done
		return fmt.Errorf("intake: serving on %s: %w", ln.Addr(), err)
	}
	if err := <-done; err != nil {
		return fmt.Errorf("intake: shutting down: %w", err)
	}
	return nil
}

// flush waits until ctx ends for the requests admitted, hasty ones
// included, to have produced their events.
func (s *Service) flush(ctx context.Context) error {
	s.mu.Lock()
	if s.mu.admitted == 0 {
		s.mu.Unlock()
		return nil
	}
	if s.mu.idle == nil {
		s.mu.idle = make(chan struct{})
	}
	idle := s.mu.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("events of requests (hasty ones among them) still in flight: %w", ctx.Err())
	}
}

// Close stops taking events: from now on a POST gets 503 and /readyz
// fails. It then waits up to cfg.ShutdownTimeout for the events of the
// requests taken before, hasty ones included, and closes the producer.
// Later calls do nothing.
func (s *Service) Close() error {
	var err error
	s.close.Do(func() {
		s.mu.Lock()
		s.mu.closing = true
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		defer cancel()
		err = s.flush(ctx)
		if ferr := s.client.Flush(ctx); ferr != nil && err == nil {
			err = fmt.Errorf("intake: flushing the producer: %w", ferr)
		}
		s.cancel()
		s.client.Close()
	})
	return err
}

// Run makes the service of cfg, serves it on ln (on cfg.Addr when nil)
// until ctx ends, and closes it: what `ripple intake` does, and what a
// test that needs an intake calls (with a listener on 127.0.0.1:0, whose
// address it knows).
func Run(ctx context.Context, cfg Config, ln net.Listener) error {
	s, err := New(cfg)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return err
	}
	serveErr := s.Serve(ctx, ln)
	return errors.Join(serveErr, s.Close())
}

// readBody reads a request body of at most max bytes; a longer one is
// errTooLarge.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if r.ContentLength > max {
		return nil, errTooLarge
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, errTooLarge
	}
	return b, err
}

var errTooLarge = errors.New("intake: body too large")
