package parquet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The layout of a topic's files, under <Dir>/<topic>/:
//
//	datehour=2026-12-06T07/part-<partition>-<first>-<last>.parquet
//	datehour=2026-12-06T07/part-<partition>-<first>-<last>.<i>of<n>.parquet
//	_offsets/part-<partition>-<last>
//
// A batch writes one file per partition and hour it has events of, named
// by the partition and the first and last offsets of the batch for that
// partition; when it spans n hours the n files say so, and a batch counts
// as written only when all n are there. A partition of a batch with no
// event to write (every record was invalid) gets an empty marker under
// _offsets instead. Files are written under a hidden temporary name and
// renamed when whole: readers (a glob on *.parquet) never see half a file.
const (
	hourDirPrefix = "datehour="
	hourLayout    = "2006-01-02T15"
	offsetsDir    = "_offsets"
	partPrefix    = "part-"
	parquetExt    = ".parquet"
	tempPrefix    = ".tmp-"
)

// fileName is the name of file i of n of a partition's batch (i counts
// from 1).
func fileName(partition int32, first, last int64, i, n int) string {
	if n == 1 {
		return fmt.Sprintf("%s%d-%d-%d%s", partPrefix, partition, first, last, parquetExt)
	}
	return fmt.Sprintf("%s%d-%d-%d.%dof%d%s", partPrefix, partition, first, last, i, n, parquetExt)
}

func hourDir(t time.Time) string { return hourDirPrefix + t.UTC().Format(hourLayout) }

// batchFile is what a data file's name says.
type batchFile struct {
	partition   int32
	first, last int64
	i, n        int
}

// parseFileName reads a data file's name; ok is false for other names.
func parseFileName(name string) (f batchFile, ok bool) {
	rest, ok := strings.CutPrefix(name, partPrefix)
	if !ok {
		return f, false
	}
	if rest, ok = strings.CutSuffix(rest, parquetExt); !ok {
		return f, false
	}
	f.i, f.n = 1, 1
	if dot := strings.IndexByte(rest, '.'); dot >= 0 {
		i, n, ok := strings.Cut(rest[dot+1:], "of")
		if !ok {
			return f, false
		}
		var err1, err2 error
		f.i, err1 = strconv.Atoi(i)
		f.n, err2 = strconv.Atoi(n)
		if err1 != nil || err2 != nil || f.i < 1 || f.i > f.n {
			return f, false
		}
		rest = rest[:dot]
	}
	parts := strings.Split(rest, "-")
	if len(parts) != 3 {
		return f, false
	}
	p, err := strconv.ParseInt(parts[0], 10, 32)
	if err != nil {
		return f, false
	}
	f.partition = int32(p)
	if f.first, err = strconv.ParseInt(parts[1], 10, 64); err != nil {
		return f, false
	}
	if f.last, err = strconv.ParseInt(parts[2], 10, 64); err != nil || f.last < f.first {
		return f, false
	}
	return f, true
}

// parseMarkerName reads an _offsets marker's name.
func parseMarkerName(name string) (partition int32, last int64, ok bool) {
	rest, ok := strings.CutPrefix(name, partPrefix)
	if !ok {
		return 0, 0, false
	}
	p, l, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, 0, false
	}
	pp, err1 := strconv.ParseInt(p, 10, 32)
	ll, err2 := strconv.ParseInt(l, 10, 64)
	return int32(pp), ll, err1 == nil && err2 == nil
}

// batchKey names one partition's part of a batch.
type batchKey struct {
	partition int32
	last      int64
}

// recover reads the offsets of the topic whose files are under dir from
// the names of its files, and removes what a crash left: temporary files,
// and the files of a batch that did not get all its n files (a crash
// between its renames), which is thus not written and will be again.
func recoverOffsets(dir string) (map[int32]int64, error) {
	next := map[int32]int64{}
	seen := func(p int32, last int64) {
		if n, ok := next[p]; !ok || last+1 > n {
			next[p] = last + 1
		}
	}
	parts := map[batchKey]map[int]string{} // file i -> path
	total := map[batchKey]int{}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return next, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		switch {
		case e.Name() == offsetsDir:
			markers, err := os.ReadDir(sub)
			if err != nil {
				return nil, err
			}
			for _, m := range markers {
				if strings.HasPrefix(m.Name(), tempPrefix) {
					if err := os.Remove(filepath.Join(sub, m.Name())); err != nil {
						return nil, err
					}
				} else if p, last, ok := parseMarkerName(m.Name()); ok {
					seen(p, last)
				}
			}
		case e.IsDir() && strings.HasPrefix(e.Name(), hourDirPrefix):
			files, err := os.ReadDir(sub)
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				path := filepath.Join(sub, f.Name())
				if strings.HasPrefix(f.Name(), tempPrefix) {
					if err := os.Remove(path); err != nil {
						return nil, err
					}
					continue
				}
				bf, ok := parseFileName(f.Name())
				if !ok {
					continue
				}
				k := batchKey{bf.partition, bf.last}
				if parts[k] == nil {
					parts[k] = map[int]string{}
				}
				parts[k][bf.i] = path
				total[k] = bf.n
			}
		}
	}
	for k, files := range parts {
		if len(files) == total[k] {
			seen(k.partition, k.last)
			continue
		}
		for _, path := range files {
			if err := os.Remove(path); err != nil {
				return nil, fmt.Errorf("remove %s, a part of a batch a crash cut short: %w", path, err)
			}
		}
	}
	return next, nil
}

// syncDir makes the entries of dir (a rename into it) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
