package topology

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Format is a graph rendering of a topology.
type Format string

// The formats Render writes.
const (
	DOT     Format = "dot"     // Graphviz
	Mermaid Format = "mermaid" // Markdown-embeddable flowchart
)

// Render writes t as a graph in format f: streams as ellipses (DOT) or
// rounded nodes (Mermaid), jobs as boxes, edges labelled with the role.
func (t *Topology) Render(w io.Writer, f Format) error {
	var b strings.Builder
	switch f {
	case DOT:
		t.dot(&b)
	case Mermaid:
		t.mermaid(&b)
	default:
		return fmt.Errorf("topology: unknown graph format %q; want dot or mermaid", f)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (t *Topology) dot(b *strings.Builder) {
	b.WriteString("digraph topology {\n  rankdir=LR;\n")
	for _, s := range t.Streams {
		fmt.Fprintf(b, "  %s [shape=ellipse, label=%s];\n", strconv.Quote("s:"+string(s.Name)),
			strconv.Quote(fmt.Sprintf("%s\n%d partitions", s.Name, s.Partitions)))
	}
	for _, j := range t.Jobs {
		fmt.Fprintf(b, "  %s [shape=box, style=bold, label=%s];\n", strconv.Quote("j:"+string(j.Name)),
			strconv.Quote(fmt.Sprintf("%s\n(%s)", j.Name, j.Kind)))
	}
	for _, j := range t.Jobs {
		for _, in := range j.Inputs {
			fmt.Fprintf(b, "  %s -> %s [label=%s];\n", strconv.Quote("s:"+string(in.Stream)), strconv.Quote("j:"+string(j.Name)), strconv.Quote(in.Role))
		}
		for _, out := range j.Outputs {
			fmt.Fprintf(b, "  %s -> %s [label=%s];\n", strconv.Quote("j:"+string(j.Name)), strconv.Quote("s:"+string(out.Stream)), strconv.Quote(out.Role))
		}
	}
	b.WriteString("}\n")
}

func (t *Topology) mermaid(b *strings.Builder) {
	ids := map[string]string{}
	id := func(key string) string {
		if v, ok := ids[key]; ok {
			return v
		}
		v := fmt.Sprintf("n%d", len(ids))
		ids[key] = v
		return v
	}
	label := func(s string) string { return strings.ReplaceAll(s, `"`, "#quot;") }
	b.WriteString("flowchart LR\n")
	for _, s := range t.Streams {
		fmt.Fprintf(b, "  %s([\"%s\"])\n", id("s:"+string(s.Name)), label(string(s.Name)))
	}
	for _, j := range t.Jobs {
		fmt.Fprintf(b, "  %s[\"%s (%s)\"]\n", id("j:"+string(j.Name)), label(string(j.Name)), label(j.Kind))
	}
	for _, j := range t.Jobs {
		for _, in := range j.Inputs {
			fmt.Fprintf(b, "  %s -->|%s| %s\n", id("s:"+string(in.Stream)), label(in.Role), id("j:"+string(j.Name)))
		}
		for _, out := range j.Outputs {
			fmt.Fprintf(b, "  %s -->|%s| %s\n", id("j:"+string(j.Name)), label(out.Role), id("s:"+string(out.Stream)))
		}
	}
}
