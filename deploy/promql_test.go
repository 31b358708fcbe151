package deploy

import (
	"slices"
	"testing"
)

// vectorSelector is one metric selector of a PromQL expression: the metric's
// name and the label names its matchers use.
type vectorSelector struct {
	metric string
	labels []string
}

// keywords of PromQL that read like metric names: operators, modifiers
// (group_left may stand without a label list) and the aggregations, whose
// parenthesis may come after a by or without clause.
var promqlKeywords = map[string]bool{
	"and": true, "or": true, "unless": true, "bool": true, "offset": true,
	"inf": true, "nan": true, "Inf": true, "NaN": true,
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
}

// grouping keywords, followed by a parenthesised list of label names.
var promqlGrouping = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// selectors returns the vector selectors of a PromQL expression: every
// metric name outside strings, ranges and label lists that is not a
// function, aggregation or keyword, with the label names it matches on.
// It is the small part of a PromQL parser these tests need; promtool
// checks that the expressions parse at all.
func selectors(expr string) []vectorSelector {
	var out []vectorSelector
	s := []rune(expr)
	for i := 0; i < len(s); {
		r := s[i]
		switch {
		case r == '"' || r == '\'' || r == '`':
			i = skipString(s, i)
		case r == '[':
			i = skipTo(s, i, ']')
		case r == '{': // a selector without a name ({__name__=...})
			_, i = matchers(s, i)
		case r >= '0' && r <= '9':
			for i < len(s) && (isIdent(s[i]) || s[i] == '.') {
				i++ // numbers and durations: 5m, 1e3, 0.99
			}
		case isIdentStart(r):
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			word := string(s[i:j])
			k := j
			for k < len(s) && (s[k] == ' ' || s[k] == '\n' || s[k] == '\t') {
				k++
			}
			switch {
			case promqlGrouping[word] && k < len(s) && s[k] == '(':
				i = skipTo(s, k, ')')
			case k < len(s) && s[k] == '(': // a function or aggregation
				i = j
			case promqlKeywords[word]:
				i = j
			case k < len(s) && s[k] == '{':
				var labels []string
				labels, i = matchers(s, k)
				out = append(out, vectorSelector{word, labels})
			default:
				out = append(out, vectorSelector{metric: word})
				i = j
			}
		default:
			i++
		}
	}
	return out
}

// matchers reads the label matchers in braces starting at s[i] and
// returns their label names and the index after the closing brace.
func matchers(s []rune, i int) ([]string, int) {
	var labels []string
	i++
	for i < len(s) && s[i] != '}' {
		switch r := s[i]; {
		case r == '"' || r == '\'' || r == '`':
			i = skipString(s, i)
		case isIdentStart(r):
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			labels = append(labels, string(s[i:j]))
			i = j
		default:
			i++
		}
	}
	return labels, i + 1
}

func skipString(s []rune, i int) int {
	q := s[i]
	for i++; i < len(s) && s[i] != q; i++ {
		if s[i] == '\\' && q != '`' {
			i++
		}
	}
	return i + 1
}

func skipTo(s []rune, i int, end rune) int {
	for i < len(s) && s[i] != end {
		i++
	}
	return i + 1
}

func isIdentStart(r rune) bool {
	return r == '_' || r == ':' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func isIdent(r rune) bool { return isIdentStart(r) || r >= '0' && r <= '9' }

func TestSelectors(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []vectorSelector
	}{
		{`up == 0`, []vectorSelector{{metric: "up"}}},
		{`sum by (job, le) (rate(a_bucket{job=~"x|y", le!="1"}[5m] offset 1h)) / on (job) group_left b`,
			[]vectorSelector{{"a_bucket", []string{"job", "le"}}, {metric: "b"}}},
		{`histogram_quantile(0.99, sum(rate(h{s="a{b}c"}[$__rate_interval]))) > 1e3 and bool c:rule`,
			[]vectorSelector{{"h", []string{"s"}}, {metric: "c:rule"}}},
		{`absent(up{p="ripple"}) unless x{namespace="$namespace"} > Inf`,
			[]vectorSelector{{"up", []string{"p"}}, {"x", []string{"namespace"}}}},
		{"sum without (pod) (m)\nor\nn", []vectorSelector{{metric: "m"}, {metric: "n"}}},
	} {
		got := selectors(c.expr)
		if !slices.EqualFunc(got, c.want, func(a, b vectorSelector) bool {
			return a.metric == b.metric && slices.Equal(a.labels, b.labels)
		}) {
			t.Errorf("selectors(%q) = %v, want %v", c.expr, got, c.want)
		}
	}
}
