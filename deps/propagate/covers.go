package propagate

import "slices"

// Covers reports whether a walk begun with the frames start reaches every
// page a walk begun with the frames old reaches, for the same rules: each
// of old's frames has one in start from the same target over the same edge
// and rule, asking for at least its aspects (a usage matches a change when
// it matches any of the change's aspects, so more aspects reach more
// pages). A walk begun later walks the graph as it is then, so a covering
// newer walk can take over an unfinished older one. An empty old (a walk
// whose start is unknown) is covered by nothing.
func Covers(start, old []Frame) bool {
	if len(old) == 0 {
		return false
	}
	for _, o := range old {
		if !slices.ContainsFunc(start, func(n Frame) bool { return n.covers(o) }) {
			return false
		}
	}
	return true
}

func (n Frame) covers(o Frame) bool {
	if n.Wiki != o.Wiki || n.Edge != o.Edge || n.Target != o.Target || n.Rule != o.Rule || n.Depth != o.Depth || n.After != o.After {
		return false
	}
	for _, a := range o.Aspects {
		if !slices.Contains(n.Aspects, a) {
			return false
		}
	}
	return true
}
