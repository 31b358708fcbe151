package testenv_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ripplestream/ripple/internal/testenv"
)

// fakeChromium is a browser that forks as Chromium does: a zygote,
// which forks a renderer. Each writes its pid to $RIPPLE_FAKE_PIDS.
const fakeChromium = `#!/bin/bash
( sleep 600 & echo $! >> "$RIPPLE_FAKE_PIDS"; echo $BASHPID >> "$RIPPLE_FAKE_PIDS"; wait ) &
wait
`

// TestChromiumStopsItsChildren: when the test that started it ends, the
// browser and every process it forked are gone, not only the script.
func TestChromiumStopsItsChildren(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "chromium"), []byte(fakeChromium), 0o755); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pids")
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("RIPPLE_FAKE_PIDS", pidFile)
	var pids []int
	t.Run("browser", func(t *testing.T) {
		b := testenv.Chromium(t, "about:blank")
		testenv.Eventually(t, 60*time.Second, func() error {
			if exited, err := b.Exited(); exited {
				t.Fatalf("the script exited (%v):\n%s", err, b.Out)
			}
			pids = readPids(t, pidFile)
			if len(pids) < 2 {
				return fmt.Errorf("the fake browser started %d of its 2 children", len(pids))
			}
			return nil
		})
	})
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d, forked by the browser, still runs after the test that started it", pid)
		}
	}
}

func readPids(t *testing.T, file string) []int {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		pids = append(pids, pid)
	}
	return pids
}

// alive reports whether pid runs: it exists and is not a zombie (an
// orphan whose new parent has not reaped it yet).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold spaces, the state follows its ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
