package entity

import "testing"

func TestIsEmpty(t *testing.T) {
	for raw, want := range map[string]bool{
		"": true, " null ": true, "{}": true, "[ ]": true, "{\n}": true,
		`{"a":1}`: false, "[0]": false, `""`: false, "0": false, "false": false, `[[]]`: false,
	} {
		if got := isEmpty(rawJSON(raw)); got != want {
			t.Errorf("isEmpty(%q) = %v, want %v", raw, got, want)
		}
	}
}
