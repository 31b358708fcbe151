package errorlog_test

import "encoding/json"

// clientError is a client error event as Wikimedia's
// /mediawiki/client/error/2.0.0 schema has it (schemas/ holds a copy).
func clientError(id, class, message, stack string) []byte {
	v, _ := json.Marshal(map[string]any{
		"$schema":     "/mediawiki/client/error/2.0.0",
		"meta":        map[string]any{"stream": "mediawiki.client.error", "id": id, "dt": "2026-12-05T12:00:00Z", "domain": "en.wikipedia.org"},
		"message":     message,
		"error_class": class,
		"stack_trace": stack,
		"file_url":    "https://en.wikipedia.org/w/load.php",
		"url":         "https://en.wikipedia.org/wiki/Special:Random",
	})
	return v
}
