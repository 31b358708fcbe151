package dgraphstore

import (
	"context"
	"path"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// alterMethod is the gRPC method of schema alters and drops.
const alterMethod = "/api.Dgraph/Alter"

// callDeadline returns the gRPC interceptor through which every request of
// the store to an alpha goes, whichever dgo call (Query, Do, Mutate,
// Commit, Discard, Alter, Login) sends it: it gives the request at most
// call, or alter for schema alters and drops, and names the alpha in the
// errors of an unanswered or unreachable one. It keeps the gRPC status
// code, which dgo reads (an aborted commit) and Store.wrap maps to
// deps.ErrUnavailable.
func callDeadline(call, alter time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		timeout, setting := call, "CallTimeout"
		if method == alterMethod {
			timeout, setting = alter, "AlterTimeout"
		}
		callCtx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err := invoker(callCtx, method, req, reply, cc, opts...)
		if err == nil || ctx.Err() != nil { // the caller's own deadline or cancel: its error stands
			return err
		}
		if callCtx.Err() != nil {
			return status.Errorf(codes.DeadlineExceeded,
				"alpha %s did not answer %s within %v (dgraphstore.Config.%s): check that it runs and is not stopped or overloaded",
				cc.Target(), path.Base(method), timeout, setting)
		}
		if st, ok := status.FromError(err); ok && st.Code() == codes.Unavailable {
			return status.Errorf(codes.Unavailable, "alpha %s: %s%s", cc.Target(), st.Message(), tlsHint(st.Message()))
		}
		return err
	}
}

// tlsHints say what a connection error means when the store and an alpha
// disagree on TLS: gRPC's own words name neither side's setting.
var tlsHints = []struct{ says, hint string }{
	{"server preface", "; if the alpha serves TLS (Dgraph's --tls), it closes plaintext connections so: set dgraphstore.Config.TLS"},
	{"does not look like a TLS handshake", "; the alpha serves plaintext: leave dgraphstore.Config.TLS empty, or start it with --tls"},
	{"authentication handshake failed", "; the alpha's certificate or ours was refused: check dgraphstore.Config.TLS (CAFile, ServerName, CertFile)"},
}

// tlsHint returns the hint for a connection error's message, or "".
func tlsHint(msg string) string {
	for _, h := range tlsHints {
		if strings.Contains(msg, h.says) {
			return h.hint
		}
	}
	return ""
}
