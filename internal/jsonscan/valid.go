package jsonscan

// maxDepth is encoding/json's bound on nesting: deeper input is invalid.
const maxDepth = 10_000

// Valid reports whether data is one JSON value with optional whitespace
// around it: the same answer as encoding/json.Valid for every input (as
// there, bytes of strings are not checked to be UTF-8).
func Valid(data []byte) bool {
	var buf [64]bool
	open := buf[:0] // the containers around i: true an object, false an array
	i := space(data, 0)
	for {
		// A value starts at i.
		if i >= len(data) {
			return false
		}
		switch c := data[i]; c {
		case '{', '[':
			i = space(data, i+1)
			if i < len(data) && data[i] == c+2 { // '}' or ']': empty
				i++
				break
			}
			if len(open) == maxDepth {
				return false
			}
			open = append(open, c == '{')
			if c == '{' {
				if i = member(data, i); i < 0 {
					return false
				}
			}
			continue
		case '"':
			if i = str(data, i); i < 0 {
				return false
			}
		case 't':
			if i = literal(data, i, "true"); i < 0 {
				return false
			}
		case 'f':
			if i = literal(data, i, "false"); i < 0 {
				return false
			}
		case 'n':
			if i = literal(data, i, "null"); i < 0 {
				return false
			}
		default:
			if i = number(data, i); i < 0 {
				return false
			}
		}
		// A value ended at i: close containers until one goes on.
		for {
			i = space(data, i)
			if len(open) == 0 {
				return i == len(data)
			}
			if i >= len(data) {
				return false
			}
			obj := open[len(open)-1]
			switch c := data[i]; {
			case c == ',':
				i = space(data, i+1)
				if obj {
					if i = member(data, i); i < 0 {
						return false
					}
				}
			case obj && c == '}', !obj && c == ']':
				open = open[:len(open)-1]
				i++
				continue
			default:
				return false
			}
			break
		}
	}
}

// space returns the offset of the first byte at or after i that is not
// JSON whitespace.
func space(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// member checks an object member's name and colon at i and returns the
// offset of its value, or -1.
func member(data []byte, i int) int {
	if i >= len(data) || data[i] != '"' {
		return -1
	}
	if i = str(data, i); i < 0 {
		return -1
	}
	if i = space(data, i); i >= len(data) || data[i] != ':' {
		return -1
	}
	return space(data, i+1)
}

// str checks the string at i (its opening quote) and returns the offset
// after its closing quote, or -1.
func str(data []byte, i int) int {
	for i++; i < len(data); i++ {
		for i < len(data) && plain[data[i]] {
			i++
		}
		if i >= len(data) {
			return -1
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(data) {
				return -1
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) {
					return -1
				}
				for _, h := range data[i+1 : i+5] {
					if !isHex(h) {
						return -1
					}
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// plain holds the bytes a string holds as they are: not a quote, a
// backslash or a control character.
var plain = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// literal checks that word is at i and returns the offset after it, or -1.
func literal(data []byte, i int, word string) int {
	if len(data)-i < len(word) || string(data[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

// number checks the number at i and returns the offset after it, or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func number(data []byte, i int) int {
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i >= len(data):
		return -1
	case data[i] == '0':
		i++
	case '1' <= data[i] && data[i] <= '9':
		i = digits(data, i+1)
	default:
		return -1
	}
	if i < len(data) && data[i] == '.' {
		j := digits(data, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digits(data, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(data []byte, i int) int {
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i
}
