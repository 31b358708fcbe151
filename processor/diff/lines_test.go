package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// render writes chunks as one line per chunk line, prefixed by the op.
func render(chunks []Chunk) string {
	var b strings.Builder
	for _, c := range chunks {
		for _, l := range c.Lines {
			fmt.Fprintf(&b, "%s%s", c.Op, strings.TrimSuffix(l, "\n"))
			b.WriteByte('|')
		}
	}
	return b.String()
}

func TestLines(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", "=a|=b|"},
		{"from empty", "", "a\nb", "+a|+b|"},
		{"to empty", "a\n", "", "-a|"},
		{"insert middle", "a\nc\n", "a\nb\nc\n", "=a|+b|=c|"},
		{"delete middle", "a\nb\nc\n", "a\nc\n", "=a|-b|=c|"},
		{"replace", "a\nb\nc\n", "a\nx\nc\n", "=a|-b|+x|=c|"},
		{"no final newline", "a\nb", "a\nb\n", "=a|-b|+b|"},
		{"repeated lines", "x\n\nx\n\nx\n", "x\n\nx\n\ny\n\nx\n", "=x|=|=x|=|+y|+|=x|"},
		{"moved paragraph anchors on unique lines", "A\nB\nC\nD\n", "C\nD\nA\nB\n", "-A|-B|=C|=D|+A|+B|"},
		{"myers within anchors", "u\na\nb\nc\nv\n", "u\nb\nc\nd\nv\n", "=u|-a|=b|=c|+d|=v|"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chunks, exact := Lines(tc.old, tc.new, 100)
			if got := render(chunks); got != tc.want || !exact {
				t.Fatalf("Lines = %s (exact %v), want %s", got, exact, tc.want)
			}
			if got, err := Apply(tc.old, chunks); err != nil || got != tc.new {
				t.Fatalf("Apply = %q, %v; want %q", got, err, tc.new)
			}
		})
	}
}

func TestLinesCostLimit(t *testing.T) {
	var old, new strings.Builder
	for i := range 200 { // no unique lines: all Myers, distance 200
		fmt.Fprintf(&old, "%d\n", i%2)
		fmt.Fprintf(&new, "%d\n", (i+1)%3)
	}
	chunks, exact := Lines(old.String(), new.String(), 10)
	if exact {
		t.Fatal("exact despite the cost limit")
	}
	if got, err := Apply(old.String(), chunks); err != nil || got != new.String() {
		t.Fatalf("Apply: %v", err)
	}
	if _, exact := Lines(old.String(), new.String(), 1000); !exact {
		t.Fatal("not exact within the limit")
	}
}

// TestLinesMinimal checks on random small texts that, without anchors in
// the way, Myers gives a shortest script: no longer than the LCS-based one.
func TestLinesMinimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	gen := func() string {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString([]string{"a\n", "b\n", "c\n"}[r.IntN(3)])
		}
		return b.String()
	}
	for range 2000 {
		old, new := gen(), gen()
		chunks, exact := Lines(old, new, 1000)
		if got, err := Apply(old, chunks); err != nil || got != new || !exact {
			t.Fatalf("%q -> %q: Apply %q %v exact %v", old, new, got, err, exact)
		}
		edits := 0
		for _, c := range chunks {
			if c.Op != Equal {
				edits += len(c.Lines)
			}
		}
		a, b := SplitLines(old), SplitLines(new)
		if want := len(a) + len(b) - 2*lcs(a, b); edits < want {
			t.Fatalf("%q -> %q: %d edits, fewer than the minimum %d", old, new, edits, want)
		}
	}
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

// FuzzDiff checks that applying the diff of any two texts to the first
// gives the second, under a generous and a tiny cost limit, and that
// SplitLines rejoins to its input.
func FuzzDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n", 3)
	f.Add("", "x", 1)
	f.Add("x\n\nx\n", "\nx\n\n", 0)
	f.Add("== H ==\n[[Link]]\n{{T}}\n", "== H ==\n{{T|1}}\n[[Link]]\n", 2)
	f.Fuzz(func(t *testing.T, old, new string, cost int) {
		if strings.Join(SplitLines(old), "") != old {
			t.Fatalf("SplitLines(%q) does not rejoin", old)
		}
		for _, c := range []int{cost % 64, 10_000} {
			chunks, _ := Lines(old, new, c)
			got, err := Apply(old, chunks)
			if err != nil || got != new {
				t.Fatalf("cost %d: Apply(%q, Lines(%q, %q)) = %q, %v", c, old, old, new, got, err)
			}
		}
	})
}
