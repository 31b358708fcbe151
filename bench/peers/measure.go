package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat (USER_HZ,
// 100 on every Linux this runs on).
const clockTick = 10 * time.Millisecond

// adminDeadline bounds every call the driver makes to the broker's admin
// API; sarama's own timeouts do not bound a call that keeps retrying.
const adminDeadline = 15 * time.Second

// procCPU returns the user plus system CPU time of process pid, all its
// threads included (those that ended too).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	t, err := parseStatCPU(b)
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(t) * clockTick, nil
}

// procPeakRSS returns the peak resident set size of process pid (VmHWM).
func procPeakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return statusKB(f, "VmHWM")
}

// statusKB returns the field name of a /proc status or meminfo file, a
// size in kB, in bytes.
func statusKB(r io.Reader, name string) (int64, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", name, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s line", name)
}

// committed returns the offsets group has committed on topic's partitions,
// summed: how many of its events the group has finished.
func committed(admin sarama.ClusterAdmin, group, topic string, partitions int32) (int64, error) {
	ps := make([]int32, partitions)
	for i := range ps {
		ps[i] = int32(i)
	}
	resp, err := withDeadline(adminDeadline, "listing the committed offsets of group "+group,
		func() (*sarama.OffsetFetchResponse, error) {
			return admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: ps})
		})
	if err != nil {
		return 0, err
	}
	var n int64
	for _, b := range resp.Blocks[topic] {
		if b.Err == sarama.ErrNoError && b.Offset > 0 {
			n += b.Offset
		}
	}
	return n, nil
}
