package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long an engine has after SIGTERM to finish its batch,
// commit and close its state before its process group is killed.
const stopGrace = 20 * time.Second

// engineProc is a started engine process. It runs in a process group of
// its own, so stopping it stops whatever it started, and with
// Pdeathsig, so it dies with the driver even when the driver is killed.
// Its stdout and stderr go to a file that outlives it.
type engineProc struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{} // closed when the process has ended
	err    error         // cmd.Wait's, valid once exited is closed
}

// startProc starts argv with its output in the file logPath.
func startProc(name, logPath string, argv []string) (*engineProc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &engineProc{name: name, cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.exited)
	}()
	return p, nil
}

func (p *engineProc) pid() int { return p.cmd.Process.Pid }

// done reports whether the process has ended.
func (p *engineProc) done() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group and waits up to grace for the
// process to end, then kills the group. It returns an error when the
// process had already ended, or had to be killed: either means the
// engine did not stop as its documentation says it does.
func (p *engineProc) stop(grace time.Duration) error {
	if p.done() {
		return fmt.Errorf("%s had exited before it was stopped (%v); its output:\n%s", p.name, p.err, logTail(p.log))
	}
	pg := -p.pid()
	syscall.Kill(pg, syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-p.exited:
		// Whatever else the group started goes too.
		syscall.Kill(pg, syscall.SIGKILL)
		return nil
	case <-t.C:
		syscall.Kill(pg, syscall.SIGKILL)
		<-p.exited // SIGKILL cannot be ignored: this wait ends
		return fmt.Errorf("%s did not stop within %v of SIGTERM and was killed; its output:\n%s", p.name, grace, logTail(p.log))
	}
}

// kill kills the process group at once and waits for the process.
func (p *engineProc) kill() {
	syscall.Kill(-p.pid(), syscall.SIGKILL)
	<-p.exited
}

// procSet is the engine processes a driver has running, so that every
// way out of the driver (an error, Ctrl-C) can end them.
type procSet struct {
	mu struct {
		sync.Mutex
		live map[*engineProc]struct{}
	}
}

func (s *procSet) add(p *engineProc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.live == nil {
		s.mu.live = map[*engineProc]struct{}{}
	}
	s.mu.live[p] = struct{}{}
}

func (s *procSet) remove(p *engineProc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mu.live, p)
}

// killAll kills every process still in the set.
func (s *procSet) killAll() {
	s.mu.Lock()
	live := s.mu.live
	s.mu.live = nil
	s.mu.Unlock()
	for p := range live {
		fmt.Fprintf(os.Stderr, "peers: killing %s (pid %d)\n", p.name, p.pid())
		p.kill()
	}
}

// logTail returns the last lines of an engine's log file, indented, or
// why it cannot.
func logTail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	defer f.Close()
	const max = 4 << 10
	if st, err := f.Stat(); err == nil && st.Size() > max {
		f.Seek(st.Size()-max, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return tailLines(b, 25) + "\n    (whole log: " + path + ")"
}

// tailLines returns the last n lines of b, each indented by four spaces.
func tailLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "    (empty)"
	}
	return "    " + strings.Join(lines, "\n    ")
}

// withDeadline runs f and returns its result, or an error naming what
// when f has not returned within d. f keeps running in the background
// then; callers use it for client calls that have no deadline of their
// own.
func withDeadline[T any](d time.Duration, what string, f func() (T, error)) (T, error) {
	type res struct {
		v   T
		err error
	}
	ch := make(chan res, 1)
	go func() {
		v, err := f()
		ch <- res{v, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-t.C:
		var zero T
		return zero, fmt.Errorf("%s: no answer within %v", what, d)
	}
}

var errNoStat = errors.New("malformed /proc stat")

// parseStatCPU returns utime+stime, in clock ticks, of a /proc/<pid>/stat
// line.
func parseStatCPU(b []byte) (int64, error) {
	// The fields after the command name, which ends at the last ')' (a
	// name may hold spaces and parentheses): state is field 3, utime 14
	// and stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errNoStat
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errNoStat
	}
	var u, s int64
	if _, err := fmt.Sscan(f[11]+" "+f[12], &u, &s); err != nil {
		return 0, fmt.Errorf("%w: utime %q stime %q", errNoStat, f[11], f[12])
	}
	return u + s, nil
}
