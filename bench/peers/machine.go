package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// machine is what a reader of the table needs to know about where it was
// measured: the machine is shared, so its load before and after the run
// is part of the result.
type machine struct {
	cores                 int
	model                 string
	memory                int64 // bytes
	loadBefore, loadAfter string
	cpus                  string // the cores every engine was pinned to
}

func readMachine(cpus string) machine {
	m := machine{cores: runtime.NumCPU(), model: "unknown", cpus: cpus, loadBefore: readLoad()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.model = cpuModel(bytes.NewReader(b))
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		m.memory, _ = statusKB(f, "MemTotal")
		f.Close()
	}
	return m
}

// readLoad returns the 1, 5 and 15 minute load averages.
func readLoad() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return loadavg(b)
}

// loadavg returns the first three fields of /proc/loadavg.
func loadavg(b []byte) string {
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func (m machine) String() string {
	return fmt.Sprintf("Machine: %d cores (%s), %.1f GiB; every engine pinned to cores %s, the broker on the same machine. Load average (1, 5, 15 min) before: %s; after: %s.",
		m.cores, m.model, float64(m.memory)/(1<<30), m.cpus, m.loadBefore, m.loadAfter)
}
