package streamconfig

import (
	"encoding/json"
	"fmt"
	"strings"
)

// UnitField returns the dotted path of the field that holds the id of a
// sampling unit in the Metrics Platform's events (fragment
// analytics/common's performer): performer.session_id for session,
// performer.pageview_id for pageview; "" for a unit no field is known
// for (device), which a producer must then be told.
func UnitField(unit string) string {
	switch unit {
	case "session":
		return "performer.session_id"
	case "pageview":
		return "performer.pageview_id"
	}
	return ""
}

// SampledEvent reports whether a decoded JSON event (objects as
// map[string]any) is in the sample s, by Sampled of the unit id at the
// dotted path field (a string, or a number as JSON writes it). It is the
// one decision ripple produce and the intake service make; an event
// without the field is an error that names it.
func SampledEvent(s Sample, field string, doc any) (bool, error) {
	v := doc
	for _, name := range strings.Split(field, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return false, fmt.Errorf("sampling unit %s: no field %s: the value before %q is not an object", s.Unit, field, name)
		}
		if v, ok = obj[name]; !ok {
			return false, fmt.Errorf("sampling unit %s: no field %s", s.Unit, field)
		}
	}
	var id string
	switch v := v.(type) {
	case string:
		id = v
	case json.Number:
		id = v.String()
	case float64:
		id = json.Number(fmt.Sprint(v)).String()
	default:
		return false, fmt.Errorf("sampling unit %s: field %s is not a string or number", s.Unit, field)
	}
	return Sampled(s, id), nil
}
